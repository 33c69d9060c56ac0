"""Editors' review pages: queue, side-by-side view, decisions, dashboard, audit log.

:data:`webapp.review.router.router` is included by :func:`webapp.app.create_app`.
"""
