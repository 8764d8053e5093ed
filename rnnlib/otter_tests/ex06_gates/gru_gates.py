from otter.test_files import test_case

OK_FORMAT = False

name = "gru_gates"
points = 5

@test_case(points=None, hidden=False)
def test_gru_gates(gru_gates):
    from rnnlib.grading import grade
    grade('gru_gates', gru_gates)

