from otter.test_files import test_case

OK_FORMAT = False

name = "gru_state_jacobian"
points = 5

@test_case(points=None, hidden=False)
def test_gru_state_jacobian(gru_state_jacobian):
    from rnnlib.grading import grade
    grade('gru_state_jacobian', gru_state_jacobian)

