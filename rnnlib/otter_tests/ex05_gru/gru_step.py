from otter.test_files import test_case

OK_FORMAT = False

name = "gru_step"
points = 6

@test_case(points=None, hidden=False)
def test_gru_step(gru_step):
    from rnnlib.grading import grade
    grade('gru_step', gru_step)

