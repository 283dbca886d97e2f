"""What reports contributes to the core (fhb.hooks): the demo's approved months."""

from fhb import hooks

from . import demo

hooks.register("demo_seed", order=20)(demo.demo_seed)
