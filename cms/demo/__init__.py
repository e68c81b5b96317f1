"""Demo data: a generated catalog, shoppers and their interaction history.

Everything is drawn from seeded random streams, so one seed always gives the same
data; `seed.seed_demo` writes it with bulk inserts so that large catalogs stay fast.
"""
