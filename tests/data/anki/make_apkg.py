"""Build a real Anki package from the shared review log: one Basic note per card, every review as a
revlog row at its original time, exported by Anki itself with scheduling (review history)."""

import csv
import datetime as dt
import json
import os
import sys

from anki.collection import Collection, ExportAnkiPackageOptions
from anki.decks import DeckId

src, out = sys.argv[1], sys.argv[2]
with open(src, newline="") as file:
    rows = list(csv.DictReader(file))


def ts(s):
    return dt.datetime.fromisoformat(s.replace("Z", "+00:00"))


rows.sort(key=lambda r: (ts(r["review_time"]), r["card_id"]))
path = out + ".build.anki2"
for p in (path, path + "-wal", path + "-shm"):
    if os.path.exists(p):
        os.remove(p)
col = Collection(path)
deck_id = col.decks.id("Shared review log")
model = col.models.by_name("Basic")
card_of = {}
for cid in dict.fromkeys(r["card_id"] for r in rows):
    note = col.new_note(model)
    note["Front"] = f"Card {cid}"
    note["Back"] = f"Answer {cid}"
    col.add_note(note, DeckId(deck_id))
    card_of[cid] = note.cards()[0].id
last, seen_ids, n = {}, set(), 0
reviewed_interday = set()
for r in rows:
    t = ts(r["review_time"])
    ms = int(t.timestamp() * 1000)
    while ms in seen_ids:
        ms += 1
    seen_ids.add(ms)
    c = r["card_id"]
    prev = last.get(c)
    if prev is None:
        typ = 0
    elif (t - prev) < dt.timedelta(days=1):
        typ = 2 if c in reviewed_interday else 0
    else:
        typ = 1
        reviewed_interday.add(c)
    ivl = max(1, (t - prev).days) if prev is not None else 0
    col.db.execute(
        "insert into revlog (id,cid,usn,ease,ivl,lastIvl,factor,time,type)"
        " values (?,?,?,?,?,?,?,?,?)",
        ms,
        card_of[c],
        -1,
        int(r["review_rating"]),
        0,
        ivl,
        2500 if typ else 0,
        int(float(r["review_duration"] or 0)),
        typ,
    )
    last[c] = t
    n += 1
# cards become review cards with their last interval, so the package carries scheduling too
today = col.sched.today
for c, cid in card_of.items():
    card = col.get_card(cid)
    card.type = 2
    card.queue = 2
    card.ivl = 1
    card.due = today
    card.factor = 2500
    card.reps = sum(1 for r in rows if r["card_id"] == c)
    col.update_card(card)
opts = ExportAnkiPackageOptions(
    with_scheduling=True,
    with_deck_configs=True,
    with_media=False,
    legacy=os.environ.get("LEGACY", "1") == "1",
)
col.export_anki_package(out_path=out, options=opts, limit=None)
print(json.dumps({"notes": len(card_of), "revlog": n, "out": out, "bytes": os.path.getsize(out)}))
col.close()
