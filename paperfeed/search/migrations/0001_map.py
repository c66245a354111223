import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("papers", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="MapLayout",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("computed_at", models.DateTimeField(auto_now_add=True)),
                ("start", models.DateField(help_text="First listing day of the papers the axes were fitted on.")),
                ("end", models.DateField(help_text="Last listing day of those papers.")),
                ("generation", models.PositiveIntegerField(help_text="Index generation whose vectors were read.")),
                ("mean", models.JSONField(help_text="Mean vector the axes are centred on.")),
                ("axes", models.JSONField(help_text="The two principal axes, as two lists of floats.")),
                ("bounds", models.JSONField(
                    help_text="[x_min, x_max, y_min, y_max] of the fitted papers' projections.")),
            ],
            options={"ordering": ["-computed_at", "-pk"]},
        ),
        migrations.CreateModel(
            name="MapPoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("x", models.FloatField()),
                ("y", models.FloatField()),
                ("layout", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="points",
                                             to="search.maplayout")),
                ("paper", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                            to="papers.paper")),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("layout", "paper"), name="one_point_per_paper")],
            },
        ),
    ]
