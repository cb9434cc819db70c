from django.db import migrations, models


class Migration(migrations.Migration):
    """The search index keeps its lexemes as text: copying them into the workers' memory costs PostgreSQL no
    conversion of tsvectors any more (services.columns)."""

    dependencies = [
        ('services', '0012_one_engine'),
    ]

    operations = [
        migrations.AddField(
            model_name='searchentry',
            name='lexemes',
            field=models.TextField(default=''),
        ),
        migrations.RunSQL(
            "UPDATE services_searchentry SET lexemes = array_to_string(tsvector_to_array(search_vector), ' ')"
            " WHERE search_vector IS NOT NULL",
            migrations.RunSQL.noop,
        ),
        migrations.RemoveField(
            model_name='searchentry',
            name='search_vector',
        ),
    ]
