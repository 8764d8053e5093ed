from otter.test_files import test_case

OK_FORMAT = False

name = "rnn_forward"
points = 4

@test_case(points=None, hidden=False)
def test_rnn_forward(rnn_forward):
    from rnnlib.grading import grade
    grade('rnn_forward', rnn_forward)

