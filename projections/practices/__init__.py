"""The practices of issue 21 (领导接访, 积案销号): `queries` reads receptions and campaign boards from
the reference-data and case status views."""
