"""Organization isolation when reading: nodes, typed root fields, collections,
filters and cursors of another organization show nothing of it."""

import pytest

from tests.graphql.org_world import NAMES, build_world

# ------------------------------------------------------------------------ reading


NODE_QUERY = "query($id: ID!) { node(id: $id) { __typename id } }"


async def test_a_sees_its_own_objects_by_node(org_a):
    # given organization A and its objects
    a, world = org_a
    # when A asks for each by global id
    body = await a.gql(
        "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }",
        {"ids": list(world.all_gids().values())},
    )
    # then every one is found (so the nulls B gets below mean something)
    assert "errors" not in body, body
    assert [n["id"] if n else None for n in body["data"]["nodes"]] == list(
        world.all_gids().values()
    )


@pytest.mark.parametrize("name", NAMES)
async def test_node_of_another_organizations_object_is_null(org_a, org_b, name):
    # given an object of organization A
    _, world = org_a
    # when B asks for it by global id
    body = await org_b.gql(NODE_QUERY, {"id": world.gid(name)})
    # then B gets null, not an error that would confirm the object exists
    assert body == {"data": {"node": None}}


async def test_nodes_of_another_organizations_objects_are_all_null(org_a, org_b):
    # given every object of organization A
    _, world = org_a
    gids = list(world.all_gids().values())
    # when B asks for all of them at once
    body = await org_b.gql(
        "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }", {"ids": gids}
    )
    # then every position is null
    assert body == {"data": {"nodes": [None] * len(gids)}}


TYPED_ROOT_FIELDS = ["email", "emailThread", "document", "annotation", "task"]


@pytest.mark.parametrize("field", TYPED_ROOT_FIELDS)
async def test_typed_root_fields_are_null_for_every_id_of_another_organization(
    org_a, org_b, field
):
    # given every global id of organization A (of the field's type and of all others)
    _, world = org_a
    gids = world.all_gids()
    aliases = " ".join(
        f'{name}: {field}(id: "{gid}") {{ __typename id }}'
        for name, gid in gids.items()
    )
    # when B asks the typed root field for each of them
    body = await org_b.gql(f"{{ {aliases} }}")
    # then each one is null
    assert body == {"data": dict.fromkeys(gids)}


@pytest.mark.parametrize(
    ("field", "name"),
    [
        ("email", "email"),
        ("emailThread", "thread"),
        ("document", "document"),
        ("annotation", "annotation"),
        ("task", "task"),
    ],
)
async def test_typed_root_fields_find_the_owners_objects(org_a, field, name):
    # given organization A's object
    a, world = org_a
    # when A asks the typed root field for it
    data = await a.data(
        f"query($id: ID!) {{ {field}(id: $id) {{ id }} }}", {"id": world.gid(name)}
    )
    # then it is found (the control for the test above)
    assert data[field] == {"id": world.gid(name)}


COLLECTIONS = {
    "emails": "emails { totalCount edges { cursor node { id } } }",
    "emailThreads": "emailThreads { totalCount edges { node { id } } }",
    "documents": "documents { totalCount edges { node { id } } }",
    "annotations": "annotations { totalCount edges { node { id } } }",
    "tasks": "tasks { totalCount edges { node { id } } }",
    "queues": "queues { totalCount edges { node { id } } }",
    "inboxes": "inboxes { totalCount edges { node { id } } }",
    "emailTemplates": "emailTemplates { totalCount edges { node { id } } }",
}


@pytest.mark.parametrize("field", COLLECTIONS)
async def test_collections_of_another_organization_are_empty(org_a, org_b, field):
    # given organization A with objects in every collection, and B with none
    # when B lists the collection
    data = await org_b.data(f"{{ {COLLECTIONS[field]} }}")
    # then it is empty
    assert data[field]["totalCount"] == 0
    assert data[field]["edges"] == []


@pytest.mark.parametrize("field", COLLECTIONS)
async def test_collections_list_the_owners_objects(org_a, field):
    # given organization A with objects in every collection
    a, _ = org_a
    # when A lists the collection
    body = await a.gql(f"{{ {COLLECTIONS[field]} }}")
    # then A's rows are there (the control for the test above)
    assert "errors" not in body, body["errors"]
    assert body["data"][field]["totalCount"] >= 1
    assert len(body["data"][field]["edges"]) == body["data"][field]["totalCount"]


async def test_filters_naming_another_organizations_objects_match_nothing(org_a, org_b):
    # given organization A's objects
    _, world = org_a
    # when B filters its collections by them
    data = await org_b.data(
        """query($email: ID!, $queue: ID!, $inbox: ID!, $thread: ID!, $user: ID!) {
             byIds: emails(filter: {ids: [$email]}) { totalCount }
             byQueue: emails(filter: {queue: [$queue]}) { totalCount }
             byInbox: emails(filter: {inbox: [$inbox]}) { totalCount }
             byThread: emails(filter: {thread: $thread}) { totalCount }
             byCreator: emails(filter: {creator: [$user]}) { totalCount }
             bySender: emails(filter: {from: "supplier@example.com"}) { totalCount }
             bySearch: emails(filter: {search: "Invoice"}) { totalCount }
             threads: emailThreads(filter: {queue: $queue}) { totalCount }
             documents(filter: {email: $email}) { totalCount }
             annotations(filter: {email: $email, queue: $queue}) { totalCount }
             inboxes(filter: {queue: $queue}) { totalCount } }""",
        {
            "email": world.gid("email"),
            "queue": world.gid("queue"),
            "inbox": world.gid("inbox"),
            "thread": world.gid("thread"),
            "user": world.gid("user"),
        },
    )
    # then every filter matches nothing
    assert {k: v["totalCount"] for k, v in data.items()} == dict.fromkeys(data, 0)


async def test_a_cursor_from_another_organization_pages_only_over_ones_own(
    org_a, org_b
):
    # given a cursor A got from its own email list, and B owning an email
    a, _ = org_a
    cursor = (await a.data("{ emails(first: 1) { edges { cursor } } }"))["emails"][
        "edges"
    ][0]["cursor"]
    b_world = await build_world(org_b, "b")
    # when B pages with it
    data = await org_b.data(
        "query($c: String!) { emails(after: $c, first: 50) { edges { node { id } } } }",
        {"c": cursor},
    )
    # then B only ever gets its own emails
    own = {b_world.gid("email"), b_world.gid("reply")}
    assert {e["node"]["id"] for e in data["emails"]["edges"]} <= own
