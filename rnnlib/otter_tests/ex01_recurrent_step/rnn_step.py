from otter.test_files import test_case

OK_FORMAT = False

name = "rnn_step"
points = 4

@test_case(points=None, hidden=False)
def test_rnn_step(rnn_step):
    from rnnlib.grading import grade
    grade('rnn_step', rnn_step)

