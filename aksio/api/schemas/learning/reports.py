"""Response bodies of the learning reports, dashboards and analytics.

Their keys are declared once, by the read model that computes them
(`aksio/projections/learning/shapes.py`); these subclasses add nothing but the
names the API description has always given them.
"""

from __future__ import annotations

from aksio.projections.learning.shapes import (
    ActivityDashboard,
    Overview,
    PathAnalysis,
    PlanProgress,
    PlansDashboard,
    Recommendations,
    SessionStats,
    Trends,
)


class PlanProgressOut(PlanProgress):
    pass


class RecommendationsOut(Recommendations):
    pass


class PlansDashboardOut(PlansDashboard):
    pass


class SessionStatsOut(SessionStats):
    pass


class OverviewOut(Overview):
    pass


class TrendsOut(Trends):
    pass


class PathAnalysisOut(PathAnalysis):
    pass


class ActivityDashboardOut(ActivityDashboard):
    pass
