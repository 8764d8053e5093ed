from otter.test_files import test_case

OK_FORMAT = False

name = "units_for_budget"
points = 5

@test_case(points=None, hidden=False)
def test_units_for_budget(units_for_budget):
    from rnnlib.grading import grade
    grade('units_for_budget', units_for_budget)

