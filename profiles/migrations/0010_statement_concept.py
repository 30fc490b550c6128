from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0009_profilerevision_label"),
    ]

    operations = [
        migrations.AddField(
            model_name="statement",
            name="concept",
            field=models.CharField(blank=True, default="", max_length=120),
        ),
    ]
