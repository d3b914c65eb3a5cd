from django.db import migrations

# The app's role owns no table and may not create one (icms/database_roles.py), yet a month's
# partition must be made when the daily job or the month's first write needs it. This function
# runs as its owner (the owner's role, which runs the migrations) and can make nothing but the
# partition of one month, with the trigger that refuses its TRUNCATE. Its search_path is fixed
# and every name in it qualified, so no object of the caller's can stand in for one.
CREATE_FUNCTION = """
CREATE FUNCTION public.audit_event_create_partition(month date) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    first_day date := date_trunc('month', month::timestamp)::date;
    next_first_day date := (first_day + interval '1 month')::date;
    name text := 'audit_event_y' || to_char(first_day::timestamp, 'YYYY"m"MM');
BEGIN
    -- One creator at a time; the others then find the table there.
    PERFORM pg_advisory_xact_lock(hashtext('audit_event partitions'));
    EXECUTE format(
        'CREATE TABLE IF NOT EXISTS public.%I PARTITION OF public.audit_event '
        'FOR VALUES FROM (%L) TO (%L)',
        name, first_day || ' 00:00:00+00', next_first_day || ' 00:00:00+00'
    );
    -- Row triggers are inherited from audit_event; a TRUNCATE of one partition is not.
    EXECUTE format(
        'CREATE OR REPLACE TRIGGER audit_event_refuse_truncate BEFORE TRUNCATE ON public.%I '
        'FOR EACH STATEMENT EXECUTE FUNCTION public.audit_event_refuse_change()',
        name
    );
    EXECUTE format('REVOKE ALL ON public.%I FROM PUBLIC', name);
    RETURN name;
END
$$;
-- EXECUTE for the app's role only, granted after each migrate.
REVOKE ALL ON FUNCTION public.audit_event_create_partition(date) FROM PUBLIC;
"""

DROP_FUNCTION = "DROP FUNCTION public.audit_event_create_partition(date);"


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunSQL(CREATE_FUNCTION, DROP_FUNCTION)]
