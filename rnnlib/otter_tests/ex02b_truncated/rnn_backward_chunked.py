from otter.test_files import test_case

OK_FORMAT = False

name = "rnn_backward_chunked"
points = 5

@test_case(points=None, hidden=False)
def test_rnn_backward_chunked(rnn_backward_chunked):
    from rnnlib.grading import grade
    grade('rnn_backward_chunked', rnn_backward_chunked)

