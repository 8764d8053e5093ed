from otter.test_files import test_case

OK_FORMAT = False

name = "cell_state_jacobian"
points = 5

@test_case(points=None, hidden=False)
def test_cell_state_jacobian(cell_state_jacobian):
    from rnnlib.grading import grade
    grade('cell_state_jacobian', cell_state_jacobian)

