from otter.test_files import test_case

OK_FORMAT = False

name = "masked_forward"
points = 5

@test_case(points=None, hidden=False)
def test_masked_forward(masked_forward):
    from rnnlib.grading import grade
    grade('masked_forward', masked_forward)

