"""One router per resource; `ketapath.api.app.ROUTERS` lists the ones the app includes."""
