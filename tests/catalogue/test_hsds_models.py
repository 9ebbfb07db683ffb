"""The HSDS answers are what the OpenAPI document says they are: each validates against the model its operation
declares (which refuses an undeclared field), so generated SDKs parse them whole."""

from __future__ import annotations

from services.catalogue.hsds.schemas import (
    HsdsOrganization,
    HsdsPage,
    HsdsRoot,
    HsdsService,
    HsdsServiceAtLocation,
    HsdsTaxonomy,
    HsdsTaxonomyTerm,
)
from tests.catalogue.test_hsds import seed


async def test_every_hsds_answer_is_its_declared_model(client):
    provider, offering = await seed(client)
    answers = {
        "/hsds/": HsdsRoot,
        "/hsds/services": HsdsPage[HsdsService],
        f"/hsds/services/{offering['id']}": HsdsService,
        "/hsds/organizations": HsdsPage[HsdsOrganization],
        f"/hsds/organizations/{provider['id']}": HsdsOrganization,
        "/hsds/taxonomies": HsdsPage[HsdsTaxonomy],
        "/hsds/taxonomy_terms": HsdsPage[HsdsTaxonomyTerm],
        "/hsds/service_at_locations": HsdsPage[HsdsServiceAtLocation],
        f"/hsds/service_at_locations/{offering['id']}": HsdsServiceAtLocation,
    }
    for url, model in answers.items():
        answer = await client.get(url)
        assert answer.status_code == 200, (url, answer.text)
        parsed = model.model_validate(answer.json())
        assert parsed.model_dump(exclude_unset=True, mode="json") == answer.json(), url
    taxonomy = HsdsPage[HsdsTaxonomy].model_validate((await client.get("/hsds/taxonomies")).json()).contents[0]
    assert HsdsTaxonomy.model_validate((await client.get(f"/hsds/taxonomies/{taxonomy.id}")).json()) == taxonomy
    term = HsdsPage[HsdsTaxonomyTerm].model_validate((await client.get("/hsds/taxonomy_terms")).json()).contents[0]
    assert HsdsTaxonomyTerm.model_validate((await client.get(f"/hsds/taxonomy_terms/{term.id}")).json()) == term
