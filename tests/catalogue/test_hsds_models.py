"""The HSDS answers are what the OpenAPI document says they are: each validates against the model its operation
declares (which refuses an undeclared field), so generated SDKs parse them whole."""

from __future__ import annotations

from services.catalogue.hsds import schemas as hsds
from tests.catalogue.factories import provider_with_offering


async def test_every_hsds_answer_is_its_declared_model(client):
    provider, offering = await provider_with_offering(client)
    answers = {
        "/hsds/": hsds.HsdsRoot,
        "/hsds/services": hsds.HsdsPage[hsds.HsdsService],
        f"/hsds/services/{offering['id']}": hsds.HsdsService,
        "/hsds/organizations": hsds.HsdsPage[hsds.HsdsOrganization],
        f"/hsds/organizations/{provider['id']}": hsds.HsdsOrganization,
        "/hsds/taxonomies": hsds.HsdsPage[hsds.HsdsTaxonomy],
        "/hsds/taxonomy_terms": hsds.HsdsPage[hsds.HsdsTaxonomyTerm],
        "/hsds/service_at_locations": hsds.HsdsPage[hsds.HsdsServiceAtLocation],
        f"/hsds/service_at_locations/{offering['id']}": hsds.HsdsServiceAtLocation,
    }
    for url, model in answers.items():
        answer = await client.get(url)
        assert answer.status_code == 200, (url, answer.text)
        parsed = model.model_validate(answer.json())
        assert parsed.model_dump(exclude_unset=True, mode="json") == answer.json(), url
    taxonomy = (
        hsds.HsdsPage[hsds.HsdsTaxonomy].model_validate((await client.get("/hsds/taxonomies")).json()).contents[0]
    )
    assert hsds.HsdsTaxonomy.model_validate((await client.get(f"/hsds/taxonomies/{taxonomy.id}")).json()) == taxonomy
    term = (
        hsds.HsdsPage[hsds.HsdsTaxonomyTerm]
        .model_validate((await client.get("/hsds/taxonomy_terms")).json())
        .contents[0]
    )
    assert hsds.HsdsTaxonomyTerm.model_validate((await client.get(f"/hsds/taxonomy_terms/{term.id}")).json()) == term
