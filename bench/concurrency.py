"""Measurement 9: parallel clients against a real Odoo server started with ``--workers``.

For DURATION seconds, CLIENTS processes each loop over two business operations through Odoo's external
JSON-RPC API, on a small pool of loyalty members shared by all clients (so they collide):
- post a customer invoice for a member (the member earns points; read back from the ledger);
- redeem points on a quotation for a member (the redeem wizard, then confirmation).
The only refusals expected are Odoo's clear ones (not enough points, at the wizard or at confirmation);
anything else is an error. At the end the ledger must balance: for every member, the stored balance equals
the sum of its entries and is never negative, and the change of the pool's total equals what the clients
saw succeed (earned minus redeemed).

    python bench/concurrency.py --url http://127.0.0.1:28090 --db crm_bench_0_05 [--clients 8] [--seconds 60]

Prints one ``RESULT {json}`` line; exit status 1 when the ledger does not balance or unexpected errors
occurred.
"""

import argparse
import itertools
import json
import multiprocessing
import random
import sys
import time
import urllib.request

# the clear refusals of the redeem wizard and of the confirmation under lock (English: the bench database)
EXPECTED_REFUSALS = ("points are available", "cannot be spent")


class RpcError(Exception):
    def __init__(self, error):
        data = error.get("data") or {}
        self.name = data.get("name", "")
        self.message = data.get("message") or error.get("message", "")
        super().__init__(f"{self.name}: {self.message}")


class Client:
    def __init__(self, url, db, login, password):
        self.url, self.db = url.rstrip("/") + "/jsonrpc", db
        self.ids = itertools.count(1)
        self.uid = self._call("common", "login", db, login, password)
        self.password = password
        if not self.uid:
            raise SystemExit(f"cannot log in as {login} on {db}")

    def _call(self, service, method, *args):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": next(self.ids),
            "params": {"service": service, "method": method, "args": args},
        }
        request = urllib.request.Request(self.url, json.dumps(payload).encode(), {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=300) as response:
            reply = json.load(response)
        if reply.get("error"):
            raise RpcError(reply["error"])
        return reply["result"]

    def call(self, model, method, *args, **kwargs):
        return self._call("object", "execute_kw", self.db, self.uid, self.password, model, method, list(args), kwargs)


def setup(client):
    """The pool: members of the first program with a reward product; returns (program, members, product)."""
    program = client.call("crm.loyalty.program", "search_read", [], ["id", "reward_product_id"], limit=1, order="id")[0]
    if not program["reward_product_id"]:
        reward = client.call(
            "product.product", "create", {"name": "Bench reward", "type": "service", "list_price": 0.0}
        )
        client.call("crm.loyalty.program", "write", [program["id"]], {"reward_product_id": reward})
    client.call("crm.loyalty.program", "write", [program["id"]], {"min_redeem_points": 0})
    members = client.call(
        "crm.loyalty.membership",
        "search_read",
        [("program_id", "=", program["id"]), ("state", "=", "active")],
        ["id", "partner_id", "balance"],
        limit=20,
        order="id",
    )
    product = client.call("product.product", "search", [("name", "=", "Bench Product 12")], limit=1)[0]
    return program["id"], members, product


def worker(args, members, product, seed, queue):
    client = Client(args.url, args.db, args.login, args.password)
    rng = random.Random(seed)
    stats = {"invoices": 0, "redemptions": 0, "refusals": 0, "errors": [], "earned": 0.0, "redeemed": 0.0}
    deadline = time.time() + args.seconds
    while time.time() < deadline:
        member = rng.choice(members)
        partner = member["partner_id"][0]
        try:
            if rng.random() < 0.5:
                move = client.call(
                    "account.move",
                    "create",
                    {
                        "move_type": "out_invoice",
                        "partner_id": partner,
                        "invoice_line_ids": [
                            (0, 0, {"product_id": product, "quantity": 1, "price_unit": rng.randint(50, 500)})
                        ],
                    },
                )
                client.call("account.move", "action_post", [move])
                earned = client.call("crm.loyalty.entry", "search_read", [("move_id", "=", move)], ["points"])
                stats["invoices"] += 1
                stats["earned"] += sum(e["points"] for e in earned)
            else:
                points = rng.choice([100, 300, 800])
                order = client.call(
                    "sale.order",
                    "create",
                    {
                        "partner_id": partner,
                        "order_line": [(0, 0, {"product_id": product, "product_uom_qty": 1, "price_unit": 100})],
                    },
                )
                try:
                    wizard = client.call(
                        "crm.loyalty.redeem.wizard",
                        "create",
                        {"order_id": order, "membership_id": member["id"], "points": points},
                    )
                    client.call("crm.loyalty.redeem.wizard", "action_apply", [wizard])
                    client.call("sale.order", "action_confirm", [order])
                except RpcError:
                    client.call("sale.order", "unlink", [order])
                    raise
                stats["redemptions"] += 1
                stats["redeemed"] += points
        except RpcError as exc:
            if exc.name.endswith(("ValidationError", "UserError")) and any(s in exc.message for s in EXPECTED_REFUSALS):
                stats["refusals"] += 1
            else:
                stats["errors"].append(str(exc)[:300])
    queue.put(stats)


def pool_state(client, members):
    ids = [m["id"] for m in members]
    rows = client.call("crm.loyalty.membership", "read", ids, ["balance"])
    sums = client.call(
        "crm.loyalty.entry", "read_group", [("membership_id", "in", ids)], ["points:sum"], ["membership_id"], lazy=False
    )
    by_member = {g["membership_id"][0]: g["points"] for g in sums}
    return {r["id"]: r["balance"] for r in rows}, by_member


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    admin = Client(args.url, args.db, args.login, args.password)
    _program, members, product = setup(admin)
    before, _sums = pool_state(admin, members)
    queue = multiprocessing.Queue()
    procs = [
        multiprocessing.Process(target=worker, args=(args, members, product, seed, queue))
        for seed in range(args.clients)
    ]
    started = time.time()
    for proc in procs:
        proc.start()
    results = [queue.get() for _proc in procs]
    for proc in procs:
        proc.join()
    elapsed = time.time() - started
    after, sums = pool_state(admin, members)
    earned = sum(r["earned"] for r in results)
    redeemed = sum(r["redeemed"] for r in results)
    errors = [e for r in results for e in r["errors"]]
    delta = sum(after.values()) - sum(before.values())
    consistent = all(abs(after[m] - sums.get(m, 0.0)) < 1e-6 and after[m] >= -1e-6 for m in after)
    balanced = abs(delta - (earned - redeemed)) < 1e-6
    ops = sum(r["invoices"] + r["redemptions"] + r["refusals"] for r in results)
    result = {
        "kind": "concurrency",
        "name": f"9. {args.clients} clients x {args.seconds:.0f} s against --workers",
        "seconds": elapsed,
        "operations": ops,
        "throughput": ops / elapsed,
        "invoices": sum(r["invoices"] for r in results),
        "redemptions": sum(r["redemptions"] for r in results),
        "refusals": sum(r["refusals"] for r in results),
        "errors": len(errors),
        "error_samples": errors[:5],
        "members": len(members),
        "earned": earned,
        "redeemed": redeemed,
        "ledger_delta": delta,
        "ledger_balanced": balanced and consistent,
    }
    print("RESULT " + json.dumps(result), flush=True)
    return 0 if result["ledger_balanced"] and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
