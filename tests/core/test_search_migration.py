"""0019 on a database with mail in it: emails stored before it are found by `search`
afterwards (their text rewritten as words and indexed), on both engines."""

from tortoise.migrations.api import migrate as run_migrations

from app import db
from app.accounts.service import create_organization
from app.mail.filters import EmailFilterSpec, filter_emails
from app.mail.models import Email
from tests.factories import at, make_email, make_queue

BEFORE = "0018_bounces"


async def test_mail_stored_before_0019_is_found_after_it(empty_database):
    url = empty_database
    # given, before 0019, two organizations' emails with the search text of then
    await run_migrations(config=db.tortoise_config(url), target=f"models.{BEFORE}")
    await db.close_db()
    await db.open_db(url)
    ids = {}
    for name in ("Acme", "Globex"):
        org, _, _ = await create_organization(
            name=name, admin_email=f"admin@{name.lower()}.example"
        )
        queue = await make_queue(org.id)
        email = await make_email(org.id, queue.id, created_at=at(1))
        # what search_text() wrote before 0019: folded text, one part a line
        await Email.filter(id=email.id).update(
            search_text="invoice 1001\nalice archer\nalice@vendor.example\n"
            "ap@acme.example\nplease find attached the invoice."
        )
        ids[name] = (org.id, email.id)
    await db.close_db()

    # when the remaining migrations run
    await db.migrate(url)
    await db.close_db()
    await db.open_db(url)

    # then each email is found by its words, in its organization only
    async def found(org_id: int, search: str) -> list[int]:
        query = filter_emails(org_id, EmailFilterSpec(search=search))
        return [e.id for e in await query]

    for org_id, email_id in ids.values():
        assert await found(org_id, "alice@vendor") == [email_id]
        assert await found(org_id, "attached the inv") == [email_id]
        assert await found(org_id, "archer invoice") == []
        assert (
            await filter_emails(org_id, EmailFilterSpec(search="invoice")).count() == 1
        )
    # and the text is the words, as new mail's is
    email = await Email.get(id=ids["Acme"][1])
    assert email.search_text == (
        "invoice 1001 alice archer alice vendor example ap acme example"
        " please find attached the invoice"
    )
