from django.db import migrations

# The clinical history's event tables are append-only: a trigger refuses UPDATE and DELETE, and
# the app's role may neither delete from them nor switch the trigger off (icms/database_roles.py).
# Disposing of a file past its retention date, on a supervisor's approval, must erase its
# history too, or the file would live on there. This function runs as its owner (the owner's
# role, which runs the migrations) and erases only rows of a history table (one with
# pghistory's append-only trigger), only for a disposal whose stub is written and whose young
# person's record is gone, and only while the caller ignores that trigger (pgtrigger.ignore, in
# records.services.dispose_of_file): nothing else in ICMS erases history. Its search_path is
# fixed and every name in it qualified, so no object of the caller's can stand in for one.
CREATE_FUNCTION = r"""
CREATE FUNCTION public.records_erase_history(
    disposal bigint, history regclass, field text, ids bigint[]
) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    erased bigint;
BEGIN
    IF NOT EXISTS (
        SELECT FROM pg_catalog.pg_trigger
        WHERE tgrelid = history AND tgname LIKE 'pgtrigger\_append\_only\_%'
    ) THEN
        RAISE EXCEPTION 'records_erase_history: % is no history table', history;
    END IF;
    IF NOT EXISTS (
        SELECT FROM public.records_disposal AS stub
        WHERE stub.id = disposal AND NOT EXISTS (
            SELECT FROM public.clients_youngperson AS record
            WHERE record.id = stub.young_person_number
        )
    ) THEN
        RAISE EXCEPTION 'records_erase_history: no disposal % of a file that is gone', disposal;
    END IF;
    EXECUTE format('DELETE FROM %s WHERE %I = ANY($1)', history, field) USING ids;
    GET DIAGNOSTICS erased = ROW_COUNT;
    RETURN erased;
END
$$;
-- EXECUTE for the app's role only, granted after each migrate.
REVOKE ALL ON FUNCTION public.records_erase_history(bigint, regclass, text, bigint[]) FROM PUBLIC;
"""

DROP_FUNCTION = "DROP FUNCTION public.records_erase_history(bigint, regclass, text, bigint[]);"


class Migration(migrations.Migration):
    dependencies = [("records", "0001_records"), ("clients", "0010_archived_files")]

    operations = [migrations.RunSQL(CREATE_FUNCTION, DROP_FUNCTION)]
