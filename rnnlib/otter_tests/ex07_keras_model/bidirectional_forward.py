from otter.test_files import test_case

OK_FORMAT = False

name = "bidirectional_forward"
points = 4

@test_case(points=None, hidden=False)
def test_bidirectional_forward(bidirectional_forward):
    from rnnlib.grading import grade
    grade('bidirectional_forward', bidirectional_forward)

