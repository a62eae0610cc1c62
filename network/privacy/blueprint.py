"""The privacy feature's blueprint, shared by its route modules."""

from flask import Blueprint

bp = Blueprint("privacy", __name__)
