"""Terminal IPython (not Jupyter): the magics, `await`, and handler output work; the dashboard
says what it needs."""

from __future__ import annotations

import subprocess
import sys

SESSION = """\
from dataclasses import dataclass
import actorlab as al
%load_ext actorlab
@dataclass
class Shout:
    text: str

class Echo(al.Actor):
    @al.handler
    def shout(self, msg: Shout) -> str:
        print("handler prints", msg.text)
        return msg.text.upper()

%actor spawn e = Echo()
%actor ask e Shout("hi")
print(await e.ask(Shout("async")))
%actors
%actor dashboard
exit
"""


def test_magics_work_in_terminal_ipython(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "IPython", "--simple-prompt", "--no-banner", "--colors=nocolor",
         "--HistoryManager.enabled=False"],
        input=SESSION, capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    text = out.stdout + out.stderr
    assert "● e  Echo  mbox=0 done=0" in text
    assert "handler prints hi" in text and "'HI'" in text
    assert "handler prints async" in text and "ASYNC" in text
    assert "└── ● e  Echo  mbox=0 done=2" in text
    assert "UsageError: %actor dashboard: the dashboard is made of ipywidgets and needs Jupyter" in text
    assert "Traceback" not in text
