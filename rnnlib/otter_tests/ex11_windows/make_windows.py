from otter.test_files import test_case

OK_FORMAT = False

name = "make_windows"
points = 4

@test_case(points=None, hidden=False)
def test_make_windows(make_windows):
    from rnnlib.grading import grade
    grade('make_windows', make_windows)

