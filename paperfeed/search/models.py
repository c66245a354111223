"""The map of the field as the worker last drew it (:mod:`.mapping`): one layout, its points.

Stored in the database, not beside the index files, so that every web node of a deployment
shows the same map however many nodes keep their own index replica. A new layout is written
whole in one transaction and the old one deleted with it, so a reader sees one or the other.
"""

from __future__ import annotations

from django.db import models

from paperfeed.papers.models import Paper


class MapLayout(models.Model):
    """The projection (mean and two principal axes of the vectors) and the span it was fitted on.

    The basis is kept so a search's results, months old or new, land on the same axes as the
    month's map without refitting in a web request.
    """

    computed_at = models.DateTimeField(auto_now_add=True)
    start = models.DateField(help_text="First listing day of the papers the axes were fitted on.")
    end = models.DateField(help_text="Last listing day of those papers.")
    generation = models.PositiveIntegerField(help_text="Index generation whose vectors were read.")
    mean = models.JSONField(help_text="Mean vector the axes are centred on.")
    axes = models.JSONField(help_text="The two principal axes, as two lists of floats.")
    bounds = models.JSONField(help_text="[x_min, x_max, y_min, y_max] of the fitted papers' projections.")

    class Meta:
        ordering = ["-computed_at", "-pk"]

    def __str__(self) -> str:
        return f"map of {self.start}..{self.end} (generation {self.generation})"


class MapPoint(models.Model):
    """One paper of the month on the map, in [0, 1] x [0, 1] (y grows downwards, as on screen)."""

    layout = models.ForeignKey(MapLayout, on_delete=models.CASCADE, related_name="points")
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="+")
    x = models.FloatField()
    y = models.FloatField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["layout", "paper"], name="one_point_per_paper")]

    def __str__(self) -> str:
        return f"paper {self.paper_id} at ({self.x:.3f}, {self.y:.3f})"
