"""Extension objects, created unbound and attached to the app in create_app."""

from flask_babel import Babel
from flask_compress import Compress
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx

from network.core.db import Model

db = SQLAlchemy(model_class=Model)
login_manager = LoginManager()
csrf = CSRFProtect()
htmx = Htmx()
babel = Babel()
compress = Compress()
