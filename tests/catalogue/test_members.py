"""Provider accounts: the registering account is the provider's first member and reads its own pending record
without any provider claim; members invite and remove members; an account registers one provider and joins others
by invitation only."""

from __future__ import annotations

import uuid

from shared.auth import Role
from tests.catalogue.conftest import ADMIN, REGIONAL_26, auth
from tests.catalogue.factories import provider_payload
from tests.helpers import problem


def account(name: str) -> dict[str, str]:
    return auth(Role.PROVIDER, subject=f"{name}-{uuid.uuid4()}@example.pl")


async def test_the_registering_account_acts_for_its_provider_without_a_claim(client):
    founder = account("founder")
    created = await client.post("/v1/providers", json=provider_payload(), headers=founder)
    assert created.status_code == 201
    provider_id = created.json()["id"]
    # its own pending record, with the very token that registered it (404 for the public: not verified yet)
    assert (await client.get(f"/v1/providers/{provider_id}", headers=founder)).status_code == 200
    assert (await client.get(f"/v1/providers/{provider_id}")).status_code == 404
    me = (await client.get("/v1/me", headers=founder)).json()
    assert [p["id"] for p in me["providers"]] == [provider_id] and me["providers"][0]["status"] == "pending"
    changed = await client.patch(
        f"/v1/providers/{provider_id}", json={"phone": "+48 41 111 22 33"}, headers={**founder, "If-Match": '"1"'}
    )
    assert changed.status_code == 200, changed.text
    history = await client.get(f"/v1/providers/{provider_id}/status-changes", headers=founder)
    assert history.status_code == 200
    # one registration per account
    again = problem(await client.post("/v1/providers", json=provider_payload(), headers=founder), 409)
    assert "invited" in again["detail"]


async def test_members_invite_accept_and_remove(client):
    founder, consultant, stranger = account("founder"), account("consultant"), account("stranger")
    first = (await client.post("/v1/providers", json=provider_payload(), headers=founder)).json()
    second = (await client.post("/v1/providers", json=provider_payload(), headers=account("other"))).json()
    consultant_sub = (await client.get("/v1/me", headers=consultant)).json()["subject"]
    # a stranger can neither invite nor list; the founder invites
    problem(await client.post(f"/v1/providers/{first['id']}/invitations", json={"subject": "x"}, headers=stranger), 404)
    problem(await client.get(f"/v1/providers/{first['id']}/members", headers=stranger), 404)
    invited = await client.post(
        f"/v1/providers/{first['id']}/invitations", json={"subject": consultant_sub}, headers=founder
    )
    assert invited.status_code == 201, invited.text
    problem(
        await client.post(
            f"/v1/providers/{first['id']}/invitations", json={"subject": consultant_sub}, headers=founder
        ),
        409,
    )
    # before accepting, the consultant does not act for it
    patch = {"phone": "+48 41 000 00 00"}
    problem(
        await client.patch(f"/v1/providers/{first['id']}", json=patch, headers={**consultant, "If-Match": '"1"'}), 404
    )
    waiting = (await client.get("/v1/me", headers=consultant)).json()["invitations"]
    assert [i["provider_id"] for i in waiting] == [first["id"]]
    problem(await client.post(f"/v1/me/invitations/{waiting[0]['id']}/acceptance", headers=stranger), 404)
    joined = await client.post(f"/v1/me/invitations/{waiting[0]['id']}/acceptance", headers=consultant)
    assert joined.status_code == 201
    me = (await client.get("/v1/me", headers=consultant)).json()
    assert [p["id"] for p in me["providers"]] == [first["id"]] and me["invitations"] == []
    assert (
        await client.patch(f"/v1/providers/{first['id']}", json=patch, headers={**consultant, "If-Match": '"1"'})
    ).status_code == 200
    # membership of one provider gives nothing over another
    problem(
        await client.patch(f"/v1/providers/{second['id']}", json=patch, headers={**consultant, "If-Match": '"1"'}), 404
    )
    members = (await client.get(f"/v1/providers/{first['id']}/members", headers=consultant)).json()["items"]
    assert len(members) == 2
    # members remove members, never the last one; admins see everyone; a regional centre does not manage members
    founder_sub = (await client.get("/v1/me", headers=founder)).json()["subject"]
    problem(await client.get(f"/v1/providers/{first['id']}/members", headers=REGIONAL_26), 404)
    assert len((await client.get(f"/v1/providers/{first['id']}/members", headers=ADMIN)).json()["items"]) == 2
    removed = await client.delete(f"/v1/providers/{first['id']}/members/{founder_sub}", headers=consultant)
    assert removed.status_code == 204
    last = problem(
        await client.delete(f"/v1/providers/{first['id']}/members/{consultant_sub}", headers=consultant), 409
    )
    assert "at least one member" in last["detail"]
    problem(await client.get(f"/v1/providers/{first['id']}/members", headers=founder), 404)
