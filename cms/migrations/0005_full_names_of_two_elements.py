from django.db import migrations

# The first seed cut two names at their comma. Fix them unless an editor already renamed them.
FIXES = {
    "DL-4A": ("Funded", "Funded, Ongoing Professional Learning Plan"),
    "DL-7A": ("Scalable", "Scalable, Reliable Network"),
}


def fix(apps, schema_editor):
    FrameworkElement = apps.get_model("cms", "FrameworkElement")
    for code, (cut, full) in FIXES.items():
        FrameworkElement.objects.filter(code=code, name=cut).update(name=full)


class Migration(migrations.Migration):
    dependencies = [("cms", "0004_code_rules")]

    operations = [migrations.RunPython(fix, migrations.RunPython.noop)]
