import os, sys, tempfile, traceback, subprocess
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as hz
home = tempfile.mkdtemp()
subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", home + "/k", "-out", home + "/ca.pem", "-subj", "/CN=x", "-days", "1"], check=True, capture_output=True)
try:
    hz.trust_ca(home, home + "/ca.pem")
    print("trust ok")
    d = hz.start_browser(home)
    print("started")
    d.get("data:text/html,<p>hi</p>")
    print("got", d.title)
    hz.add_authenticator(d)
    print("authenticator ok")
    d.quit()
except Exception:
    traceback.print_exc()
    print(open(home + "/chromedriver.log").read()[-3000:] if os.path.exists(home + "/chromedriver.log") else "no log")
