from otter.test_files import test_case

OK_FORMAT = False

name = "sample"
points = 4

@test_case(points=None, hidden=False)
def test_sample(sample):
    from rnnlib.grading import grade
    grade('sample', sample)

