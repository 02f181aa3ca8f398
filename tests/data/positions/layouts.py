"""Layouts that move a node's position: match blocks (they indent their cases), tabs, nested
blocks, continuation lines indented less than their block, semicolons, decorators, non-ASCII."""
import pickle


class Loader:
	def load(self, kind, path):  # a tab-indented method
		match kind:
			case "pickle":
				with open(path, "rb") as fh:
					data = pickle.load(fh); other = pickle.loads(b"")
			case _:
				data = {
	"ünïcode": pickle.loads(
    b""),
				}
		return data


@staticmethod
def helper(x):
    if x:
        try:
            y = (x +
 1); z = pickle.loads(x)
        except ValueError:
            pass
    else:
        for i in range(3): print(i); pickle.loads(x)
    return {"naïve": pickle.loads(x)}  # non-ASCII before the node
