from otter.test_files import test_case

OK_FORMAT = False

name = "mingru_log_space"
points = 6

@test_case(points=None, hidden=False)
def test_mingru_log_space(mingru_log_space):
    from rnnlib.grading import grade
    grade('mingru_log_space', mingru_log_space)

