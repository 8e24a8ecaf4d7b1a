import json

from django.utils import timezone

from ansinh.registry.choices import HouseholdStatus, MoveStatus
from ansinh.registry.models import Household, HouseholdMove, Member

from .factories import make_household

TODAY = timezone.localdate().isoformat()


def _post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def test_birth_and_death_through_the_api(client, users, units):
    household = make_household(units.tho_xuan, actor=users.commune_officer)
    client.force_login(users.commune_officer)
    person = {"full_name": "Nguyễn Văn Bé", "sex": "male", "relation": "child", "birth_date": TODAY}
    response = _post(client, f"/api/v1/households/{household.pk}/births", person)
    assert response.status_code == 201, response.content
    baby = response.json()
    assert (baby["household_id"], baby["status"]) == (household.pk, "present")
    response = _post(client, f"/api/v1/households/members/{household.head_id}/death", {"death_date": TODAY})
    assert response.status_code == 422
    assert "new_head" in response.json()["details"]


def test_future_birth_is_a_422_with_the_field(client, users, units):
    household = make_household(units.tho_xuan, actor=users.commune_officer)
    client.force_login(users.commune_officer)
    response = _post(client, f"/api/v1/households/{household.pk}/births",
                     {"full_name": "B", "sex": "male", "relation": "child", "birth_date": "2999-01-01"})  # fmt: skip
    assert response.status_code == 422
    assert "birth_date" in response.json()["details"]
    assert Member.objects.count() == 2


def test_split_and_merge_through_the_api(client, users, units):
    household = make_household(units.tho_xuan, actor=users.commune_officer)
    spouse = household.members.exclude(pk=household.head_id).get()
    client.force_login(users.commune_officer)
    response = _post(client, f"/api/v1/households/{household.pk}/split",
                     {"member_ids": [spouse.pk], "new_code": "H9", "new_head_id": spouse.pk})  # fmt: skip
    assert response.status_code == 201, response.content
    new_id = response.json()["id"]
    response = _post(client, f"/api/v1/households/{new_id}/merge",
                     {"target_id": household.pk, "relations": {str(spouse.pk): "spouse"}})  # fmt: skip
    assert response.status_code == 200, response.content
    assert Household.objects.get(pk=new_id).status == HouseholdStatus.MERGED


def test_move_flow_and_errors_through_the_api(client, users, units):
    household = make_household(units.tho_xuan, actor=users.commune_officer)
    client.force_login(users.commune_officer)
    url = f"/api/v1/households/{household.pk}/moves"
    assert _post(client, url, {"to_commune_id": units.mdrak.pk, "move_date": TODAY}).status_code == 201
    second = _post(client, url, {"to_commune_id": units.hac_thanh.pk, "move_date": TODAY})
    assert (second.status_code, second.json()["code"]) == (409, "move_already_open")
    move = HouseholdMove.objects.get()
    assert _post(client, f"/api/v1/households/moves/{move.pk}/accept", {"new_code": "D1"}).status_code == 403
    client.force_login(users.commune_officer_dl)
    incoming = client.get("/api/v1/households/moves", {"direction": "in"}).json()
    assert [m["id"] for m in incoming["items"]] == [move.pk]
    assert client.get("/api/v1/households/moves", {"direction": "out"}).json()["count"] == 0
    response = _post(
        client, f"/api/v1/households/moves/{move.pk}/accept", {"new_code": "D1", "village_id": units.b1.pk}
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == MoveStatus.ACCEPTED
    again = _post(client, f"/api/v1/households/moves/{move.pk}/refuse", {"note": "x"})
    assert (again.status_code, again.json()["code"]) == (409, "move_transition_refused")
