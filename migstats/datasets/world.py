"""The fictional world of the synthetic datasets: countries, regions, ports.

Every name and code here is invented. The codes start with X, a range that
ISO 3166-1 leaves to users, so no real country has them.
"""

REPORTING_COUNTRY = "XLM"

# code: (name, profile)
COUNTRIES = {
    "XLM": ("Lamaria", "the reporting country: middle income, receives labour migrants and refugees, sends emigrants to richer countries"),
    "XNB": ("Norbia", "neighbour with much circular and cross-border mobility"),
    "XSV": ("Suvania", "neighbour and transit country on the way to Veridia and Orlandia"),
    "XKS": ("Kestova", "labour-sending; mostly young men in construction and farming"),
    "XPL": ("Pallora", "labour-sending; mostly women in care and domestic work"),
    "XMR": ("Mirelia", "sends many students"),
    "XTM": ("Tamesh", "conflict-affected; refugees, often families with children"),
    "XVD": ("Veridia", "high income, labour-receiving; main destination of Lamarian emigrants"),
    "XOR": ("Orlandia", "high income; family and study migration, an older diaspora"),
    "XBT": ("Baltara", "labour-receiving on temporary contracts; workers return after a few years"),
    "XDR": ("Drovnia", "former ruling power; older migrants in both directions, many returns"),
    "XQV": ("Quorvia", "small island state with high emigration"),
    "XZN": ("Zenthia", "ageing, high income; retirees move to Lamaria"),
}
COUNTRY_CODES = list(COUNTRIES)
# code: the adjective and the word for a person (plural with "s", except "Tameshi")
DEMONYMS = {
    "XLM": "Lamarian", "XNB": "Norbian", "XSV": "Suvanian", "XKS": "Kestovan", "XPL": "Palloran",
    "XMR": "Mirelian", "XTM": "Tameshi", "XVD": "Veridian", "XOR": "Orlandian", "XBT": "Baltaran",
    "XDR": "Drovnian", "XQV": "Quorvian", "XZN": "Zenthian",
}
STATELESS = "XXA"  # the ICAO Doc 9303 code for a stateless person
CITIZENSHIP_CODES = COUNTRY_CODES + [STATELESS]

REGIONS = ["Capital", "North", "Coast", "Valley", "East"]
PORTS = ["Capital Airport", "North Bridge", "Coast Seaport", "East Road"]
PERIODS = ["2015-2020", "2020-2025"]
STOCK_YEARS = [2015, 2020, 2025]
