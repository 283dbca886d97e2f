"""What invitations contributes to the core (fhb.hooks): the demo's draft of next year's groups."""

from fhb import hooks

from . import demo

hooks.register("demo_seed", order=15)(demo.demo_seed)
