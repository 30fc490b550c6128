from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("engine", "0002_catalog_statistics"),
    ]

    operations = [
        migrations.AddField(
            model_name="catalogstatistics",
            name="labels",
            field=models.JSONField(default=dict),
        ),
    ]
