from otter.test_files import test_case

OK_FORMAT = False

name = "state_tangents"
points = 5

@test_case(points=None, hidden=False)
def test_state_tangents(state_tangents):
    from rnnlib.grading import grade
    grade('state_tangents', state_tangents)

