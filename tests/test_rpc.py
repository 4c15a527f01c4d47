"""The product from outside: a real Odoo server, the web client, XML-RPC and JSON-RPC."""

import xmlrpc.client

import requests


def _rpc(server):
    common = xmlrpc.client.ServerProxy(f"{server['url']}/xmlrpc/2/common")
    uid = common.authenticate(server["db"], "admin", "admin", {})
    assert uid, "admin/admin must log into the demo data"
    models = xmlrpc.client.ServerProxy(f"{server['url']}/xmlrpc/2/object", allow_none=True)

    def call(model, method, *args, **kw):
        return models.execute_kw(server["db"], uid, "admin", model, method, list(args), kw)

    return call


def test_web_client_serves_our_app(server):
    session = requests.Session()
    resp = session.post(
        f"{server['url']}/web/session/authenticate",
        json={"jsonrpc": "2.0", "params": {"db": server["db"], "login": "admin", "password": "admin"}},
        timeout=60,
    )
    assert resp.json()["result"]["uid"]
    page = session.get(f"{server['url']}/odoo", timeout=300)
    assert page.status_code == 200 and "odoo.__session_info__" in page.text
    menus = session.get(f"{server['url']}/web/webclient/load_menus/1", timeout=120).json()
    apps = {m["name"] for m in menus.values() if isinstance(m, dict) and m.get("id") in menus["root"]["children"]}
    assert "Customer Relations" in apps, apps
    names = {m["name"] for m in menus.values() if isinstance(m, dict)}
    assert {"Loyalty", "Feedback", "Segmentation", "Memberships", "Tickets"} <= names
    # the backend asset bundle builds (a broken SCSS/JS of ours would fail here)
    js = [line for line in page.text.split('"') if "/web/assets/" in line and line.endswith(".min.js")]
    assert js, "no asset bundle referenced"
    assert session.get(f"{server['url']}{js[0]}", timeout=300).status_code == 200


def test_xmlrpc_loyalty_round_trip(server):
    call = _rpc(server)
    program = call("crm.loyalty.program", "search_read", [("name", "=", "Customer Club")], fields=["id", "tier_ids"])
    assert program and len(program[0]["tier_ids"]) == 4
    partner_id = call("res.partner", "create", {"name": "RPC Customer", "is_company": True})
    member_id = call("crm.loyalty.membership", "create", {"partner_id": partner_id, "program_id": program[0]["id"]})
    product_id = call("product.product", "create", {"name": "RPC item", "list_price": 250.0, "taxes_id": [(5, 0, 0)]})
    move_id = call(
        "account.move",
        "create",
        {
            "move_type": "out_invoice",
            "partner_id": partner_id,
            "invoice_line_ids": [(0, 0, {"product_id": product_id, "quantity": 4, "price_unit": 250.0})],
        },
    )
    call("account.move", "action_post", [move_id])
    member = call("crm.loyalty.membership", "read", [member_id], ["balance", "tier_id", "name"])[0]
    # 1,000 invoiced x 1 point + 200 first-purchase bonus of the demo program
    assert member["balance"] == 1200
    entries = call("crm.loyalty.entry", "search_read", [("membership_id", "=", member_id)], fields=["id", "points"])
    assert sorted(e["points"] for e in entries) == [200, 1000]
    try:
        call("crm.loyalty.entry", "write", [entries[0]["id"]], {"points": 99999})
    except xmlrpc.client.Fault as fault:
        assert "immutable" in fault.faultString
    else:
        raise AssertionError("a ledger entry was changed over XML-RPC")
    assert call("crm.loyalty.membership", "read", [member_id], ["balance"])[0]["balance"] == 1200
