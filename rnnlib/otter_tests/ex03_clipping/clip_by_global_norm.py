from otter.test_files import test_case

OK_FORMAT = False

name = "clip_by_global_norm"
points = 3

@test_case(points=None, hidden=False)
def test_clip_by_global_norm(clip_by_global_norm):
    from rnnlib.grading import grade
    grade('clip_by_global_norm', clip_by_global_norm)

