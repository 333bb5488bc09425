"""OGC SensorThings API 1.1 (Part 1, Sensing) over the sensors registry and observations store.

Read: the eight entity sets, navigation, properties and `$value`, `$ref`, and the query options
`$filter`, `$orderby`, `$top`, `$skip`, `$count`, `$select`, `$expand` (nested, with options) and
`$resultFormat=dataArray`. Write: Observations only, by devices with their ingestion token,
through `POST Observations` and `POST CreateObservations`, both fed to the ingestion pipeline.

Modules: `entities` (the data model mapping), `selectors` (what is public), `filters` (the
expression parser), `compile` (expressions to ORM), `options`, `render`, `resources` (paths),
`payloads` and `services` (creation), `views`.
"""
