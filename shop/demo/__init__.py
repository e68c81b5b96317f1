"""Demo data: a generated catalog, shoppers (users), stock and their interaction
history; above cms, recommend and the shop domains, since it writes all of them.

Everything is drawn from seeded random streams, so one seed always gives the same
data; `seed.seed_demo` writes it with bulk inserts so that large catalogs stay fast.
"""
