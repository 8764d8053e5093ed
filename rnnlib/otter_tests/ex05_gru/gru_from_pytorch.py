from otter.test_files import test_case

OK_FORMAT = False

name = "gru_from_pytorch"
points = 6

@test_case(points=None, hidden=False)
def test_gru_from_pytorch(gru_from_pytorch):
    from rnnlib.grading import grade
    grade('gru_from_pytorch', gru_from_pytorch)

