"""The curators' groups: "curateur" edits, hides and handles reports; "lecteur" only reads.

Deleting is left to superusers (the admins refuse it to everyone else). Members of a group
also need the "statut équipe" (is_staff) to log into the admin.
"""

from django.db import migrations

READ = {
    "structures": ["view_structure", "view_historicalstructure"],
    "services": [
        "view_service",
        "view_historicalservice",
        "view_errorreport",
        "view_historicalerrorreport",
    ],
    "imports": ["view_importrun", "view_rejectedrecord"],
}
EDIT = {
    "structures": ["change_structure"],
    "services": ["change_service", "change_errorreport"],
}
GROUPS = {
    "lecteur": READ,
    "curateur": {app: READ[app] + EDIT.get(app, []) for app in READ},
}


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations (post_migrate): make sure they
    # exist now, on a new database too.
    for label in READ:
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, permissions in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codenames in permissions.items():
            group.permissions.add(
                *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
            )


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("structures", "0003_curation_history_duplicates"),
        ("services", "0005_curation_history"),
        ("imports", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
