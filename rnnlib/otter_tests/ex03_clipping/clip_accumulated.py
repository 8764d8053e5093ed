from otter.test_files import test_case

OK_FORMAT = False

name = "clip_accumulated"
points = 4

@test_case(points=None, hidden=False)
def test_clip_accumulated(clip_accumulated):
    from rnnlib.grading import grade
    grade('clip_accumulated', clip_accumulated)

