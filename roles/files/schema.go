package files

import (
	"fmt"
	"slices"
)

// Kind is a canonical dataset.
type Kind string

// The canonical datasets (MODELS.md "Inputs").
const (
	Facilities   Kind = "facilities"
	Destinations Kind = "destinations"
	Demand       Kind = "demand"
	Shipments    Kind = "shipments"
	SKUs         Kind = "skus"
	Forecast     Kind = "forecast"
	Lanes        Kind = "lanes"
)

// Kinds lists every dataset kind in documentation order.
var kindOrder = []Kind{Facilities, Destinations, Demand, Shipments, SKUs, Forecast, Lanes}

// Kinds returns every dataset kind in documentation order.
func Kinds() []Kind { return slices.Clone(kindOrder) }

// ParseKind returns the kind named s.
func ParseKind(s string) (Kind, error) {
	for _, k := range kindOrder {
		if string(k) == s {
			return k, nil
		}
	}
	return "", fmt.Errorf("unknown dataset kind %q (one of facilities, destinations, demand, shipments, skus, forecast, lanes)", s)
}

// FieldType is how a field's values are read and checked.
type FieldType int

// Field types.
const (
	Text    FieldType = iota + 1
	Number            // any real number; "1,234.50", "$12", "(5.00)" accepted
	Integer           // a whole number
	Money             // a number in US dollars
	Date              // a calendar date (and optional time)
	Year              // a four-digit year, 1900-2200
	ZIP               // a US ZIP: 5 digits, ZIP+4, or a 3-digit prefix where allowed
	State             // a USPS state code or full state name
	Lat               // decimal degrees, -90..90
	Lon               // decimal degrees, -180..180
	Bool              // yes/no, true/false, y/n, 1/0, x/blank
	Enum              // one of Field.Enum (synonyms in Field.Synonyms)
	Percent           // percent points: "5%" and 5 are both five percent
)

var fieldTypeNames = map[FieldType]string{
	Text: "text", Number: "number", Integer: "integer", Money: "money", Date: "date", Year: "year",
	ZIP: "zip", State: "state", Lat: "latitude", Lon: "longitude", Bool: "yes/no", Enum: "one of", Percent: "percent",
}

func (t FieldType) String() string { return fieldTypeNames[t] }

// Field is one canonical column of a dataset.
type Field struct {
	Name     string
	Type     FieldType
	Required bool
	// Aliases are header spellings matched exactly (after normalization,
	// see normalizeHeader) besides Name itself.
	Aliases []string
	// Min is the smallest value allowed for numeric types (nil: any).
	Min *float64
	// Enum lists the canonical values of an Enum field; Synonyms maps other
	// spellings (normalized) to them.
	Enum     []string
	Synonyms map[string]string
	// Prefix3 allows a ZIP field to hold a 3-digit ZIP prefix.
	Prefix3 bool
	Doc     string
}

// Schema is one dataset's canonical fields.
type Schema struct {
	Kind   Kind
	Fields []Field
	// SheetNames are sheet and file names that suggest the kind.
	SheetNames []string
	// Locations are the location groups of a row: each resolves from
	// lat+lon, else ZIP, else city+state (see resolveLocation).
	Locations []LocationGroup
	// OneOf lists field sets of which each row needs at least one.
	OneOf [][]string
	// Entities marks a list of things (sites, destinations, SKUs) rather than a table of
	// amounts: such a list has no totals rows, so a row whose first text reads like
	// "Total ..." (a customer called Total Wine) is data, validated like any other row.
	Entities bool
	Doc      string
}

// LocationGroup names the fields that make up one location of a row.
type LocationGroup struct {
	Name                       string // "" for the row's own location; "origin", "destination"
	Lat, Lon, ZIP, City, State string // field names; "" when the group has no such field
	Required                   bool   // the row must have this location (see Schema docs)
	RequiredWhenColumnsPresent bool   // required only if the sheet has any of the group's columns
}

var zero = 0.0

// nonNegative is the Min of counts, costs and capacities.
var nonNegative = &zero

// modeEnum is the transport modes of shipments and lanes.
var modeEnum = []string{"parcel", "LTL", "TL", "intermodal", "rail", "air", "ocean", "courier"}

var modeSynonyms = map[string]string{
	"parcel": "parcel", "small parcel": "parcel", "sp": "parcel", "package": "parcel",
	"ltl": "LTL", "less than truckload": "LTL", "less than truck load": "LTL",
	"tl": "TL", "ftl": "TL", "truckload": "TL", "truck load": "TL", "full truckload": "TL", "full truck load": "TL",
	"intermodal": "intermodal", "imdl": "intermodal", "im": "intermodal",
	"rail": "rail", "air": "air", "air freight": "air", "ocean": "ocean", "sea": "ocean", "courier": "courier",
}

var facilityKindSynonyms = map[string]string{
	"existing": "existing", "current": "existing", "open": "existing",
	"candidate": "candidate", "potential": "candidate", "new": "candidate", "proposed": "candidate",
}

// schemas are the canonical datasets. Field names are the canonical CSV
// column names (docs/ingestion.md documents each).
var schemas = map[Kind]*Schema{
	Facilities: {
		Kind:       Facilities,
		Entities:   true,
		SheetNames: []string{"facilities", "facility", "warehouses", "warehouse", "dcs", "dc", "distribution centers", "sites", "network", "candidates", "locations"},
		Doc:        "existing and candidate warehouses",
		Fields: []Field{
			{Name: "name", Type: Text, Required: true, Aliases: []string{"facility", "facility name", "warehouse", "warehouse name", "dc", "dc name", "site", "site name", "location name", "facility id", "id"}},
			{Name: "lat", Type: Lat, Aliases: []string{"latitude", "lat dd", "y"}},
			{Name: "lon", Type: Lon, Aliases: []string{"longitude", "long", "lng", "x"}},
			{Name: "zip", Type: ZIP, Aliases: []string{"zip code", "zipcode", "postal code", "postcode", "postal", "zip5"}},
			{Name: "city", Type: Text, Aliases: []string{"town"}},
			{Name: "state", Type: State, Aliases: []string{"st", "state code", "province", "state province"}},
			{Name: "capacity", Type: Number, Min: nonNegative, Aliases: []string{"capacity units", "annual capacity", "max units", "throughput capacity", "capacity units yr", "capacity units per year"}},
			{Name: "fixed_cost", Type: Money, Min: nonNegative, Aliases: []string{"fixed cost", "annual fixed cost", "fixed cost per year", "operating cost", "annual cost", "fixed costs"}},
			{Name: "kind", Type: Enum, Enum: []string{"existing", "candidate"}, Synonyms: facilityKindSynonyms, Aliases: []string{"type", "status", "facility type", "existing candidate"}},
			{Name: "size_sqft", Type: Number, Min: nonNegative, Aliases: []string{"size", "sq ft", "sqft", "square feet", "square footage", "area sq ft"}},
			{Name: "opening_cost", Type: Money, Min: nonNegative, Aliases: []string{"opening cost", "startup cost", "start up cost", "open cost"}},
			{Name: "closing_cost", Type: Money, Min: nonNegative, Aliases: []string{"closing cost", "shutdown cost", "close cost"}},
			{Name: "lease_end_year", Type: Year, Aliases: []string{"lease end", "lease end year", "lease expiry", "lease expiration"}},
			{Name: "mandatory", Type: Bool, Aliases: []string{"must open", "forced", "force open", "keep open", "required"}},
			{Name: "allowed_years", Type: Text, Aliases: []string{"allowed years", "years allowed", "available years"}},
		},
		Locations: []LocationGroup{{Lat: "lat", Lon: "lon", ZIP: "zip", City: "city", State: "state", RequiredWhenColumnsPresent: true}},
	},
	Destinations: {
		Kind:       Destinations,
		Entities:   true,
		SheetNames: []string{"destinations", "destination", "customers", "customer", "demand points", "ship to", "stores"},
		Doc:        "demand points: customers, ZIPs, 3-digit ZIPs or cities",
		Fields: []Field{
			{Name: "name", Type: Text, Required: true, Aliases: []string{"destination", "destination name", "customer", "customer name", "ship to", "ship to name", "store", "id", "customer id"}},
			{Name: "lat", Type: Lat, Aliases: []string{"latitude", "y"}},
			{Name: "lon", Type: Lon, Aliases: []string{"longitude", "long", "lng", "x"}},
			{Name: "zip", Type: ZIP, Prefix3: true, Aliases: []string{"zip code", "zipcode", "postal code", "postcode", "postal", "zip3", "zip5"}},
			{Name: "city", Type: Text, Aliases: []string{"town"}},
			{Name: "state", Type: State, Aliases: []string{"st", "state code", "province"}},
		},
		Locations: []LocationGroup{{Lat: "lat", Lon: "lon", ZIP: "zip", City: "city", State: "state", RequiredWhenColumnsPresent: true}},
	},
	Demand: {
		Kind:       Demand,
		SheetNames: []string{"demand", "volumes", "volume", "demand by destination"},
		Doc:        "units per destination and year",
		Fields: []Field{
			{Name: "destination", Type: Text, Required: true, Aliases: []string{"destination name", "customer", "ship to", "zip", "dest", "destination zip"}},
			{Name: "units", Type: Number, Required: true, Min: nonNegative, Aliases: []string{"demand", "volume", "quantity", "qty", "annual units", "units per year", "annual demand"}},
			{Name: "year", Type: Year, Aliases: []string{"yr", "fiscal year", "fy"}},
			{Name: "weight", Type: Number, Min: nonNegative, Aliases: []string{"weight lb", "weight lbs", "lbs", "pounds"}},
		},
	},
	Shipments: {
		Kind:       Shipments,
		SheetNames: []string{"shipments", "shipment", "freight", "invoices", "invoice", "history", "shipment history", "freight history", "transport", "loads", "orders"},
		Doc:        "historical shipments or invoice lines",
		Fields: []Field{
			{Name: "ship_date", Type: Date, Required: true, Aliases: []string{"date", "ship date", "shipdate", "shipped on", "pickup date", "pick up date", "invoice date", "departure date"}},
			{Name: "origin_name", Type: Text, Aliases: []string{"origin", "origin name", "shipper", "ship from", "from", "origin facility"}},
			{Name: "origin_zip", Type: ZIP, Aliases: []string{"origin zip", "orig zip", "from zip", "shipper zip", "origin postal code", "origin zip code", "ship from zip"}},
			{Name: "origin_city", Type: Text, Aliases: []string{"origin city", "orig city", "from city", "shipper city", "ship from city"}},
			{Name: "origin_state", Type: State, Aliases: []string{"origin state", "orig state", "from state", "shipper state", "ship from state", "origin st", "orig st", "from st"}},
			{Name: "dest_name", Type: Text, Aliases: []string{"destination", "destination name", "consignee", "ship to", "to", "customer"}},
			{Name: "dest_zip", Type: ZIP, Aliases: []string{"destination zip", "dest zip", "to zip", "consignee zip", "destination postal code", "destination zip code", "ship to zip"}},
			{Name: "dest_city", Type: Text, Aliases: []string{"destination city", "dest city", "to city", "consignee city", "ship to city"}},
			{Name: "dest_state", Type: State, Aliases: []string{"destination state", "dest state", "to state", "consignee state", "ship to state", "dest st", "destination st", "to st"}},
			{Name: "cost", Type: Money, Required: true, Min: nonNegative, Aliases: []string{"freight cost", "freight", "total cost", "charge", "charges", "net charge", "total charge", "amount", "spend", "freight charge", "cost usd", "total freight"}},
			{Name: "carrier", Type: Text, Aliases: []string{"carrier name", "scac", "vendor"}},
			{Name: "mode", Type: Enum, Enum: modeEnum, Synonyms: modeSynonyms, Aliases: []string{"transport mode", "shipment mode", "mode of transport", "service type"}},
			{Name: "weight", Type: Number, Min: nonNegative, Aliases: []string{"weight lb", "weight lbs", "lbs", "pounds", "billed weight", "gross weight"}},
			{Name: "units", Type: Number, Min: nonNegative, Aliases: []string{"quantity", "qty", "pieces", "pcs", "units shipped", "cartons"}},
			{Name: "cube", Type: Number, Min: nonNegative, Aliases: []string{"cube cf", "cubic feet", "cuft", "volume cf"}},
		},
		// An origin or destination is named (origin_name: a facility of the
		// same input, dest_name: a destination), located (ZIP, or city and
		// state), or both: the network models match names, the freight
		// baseline uses places. A sheet with location columns needs a
		// resolvable location on every row, as facilities do.
		Locations: []LocationGroup{
			{Name: "origin", ZIP: "origin_zip", City: "origin_city", State: "origin_state", RequiredWhenColumnsPresent: true},
			{Name: "destination", ZIP: "dest_zip", City: "dest_city", State: "dest_state", RequiredWhenColumnsPresent: true},
		},
		OneOf: [][]string{{"origin_name", "origin_zip", "origin_city"}, {"dest_name", "dest_zip", "dest_city"}},
	},
	SKUs: {
		Kind:       SKUs,
		Entities:   true,
		SheetNames: []string{"skus", "sku", "items", "item master", "products", "product"},
		Doc:        "items",
		Fields: []Field{
			{Name: "sku", Type: Text, Required: true, Aliases: []string{"item", "item number", "item code", "item id", "product", "product code", "product id", "part number", "material", "sku id"}},
			{Name: "annual_units", Type: Number, Required: true, Min: nonNegative, Aliases: []string{"annual volume", "annual units", "units per year", "yearly units", "annual demand", "units", "volume"}},
			{Name: "units_per_case", Type: Number, Min: nonNegative, Aliases: []string{"units per case", "case pack", "pack size", "each per case", "units case"}},
			{Name: "cases_per_pallet", Type: Number, Min: nonNegative, Aliases: []string{"cases per pallet", "pallet quantity", "cases pallet", "ti hi"}},
			{Name: "cube_per_unit", Type: Number, Min: nonNegative, Aliases: []string{"cube", "unit cube", "cubic feet per unit", "cube per unit"}},
			{Name: "unit_cost", Type: Money, Min: nonNegative, Aliases: []string{"cost", "standard cost", "unit cost", "item cost", "cost per unit"}},
			{Name: "description", Type: Text, Aliases: []string{"desc", "item description", "product description", "name"}},
		},
	},
	Forecast: {
		Kind:       Forecast,
		SheetNames: []string{"forecast", "growth", "projection", "projections", "volume forecast"},
		Doc:        "total volume per year",
		Fields: []Field{
			{Name: "year", Type: Year, Required: true, Aliases: []string{"yr", "fiscal year", "fy", "period"}},
			{Name: "units", Type: Number, Min: nonNegative, Aliases: []string{"volume", "forecast units", "projected units", "total units", "annual units", "demand"}},
			{Name: "growth_pct", Type: Percent, Aliases: []string{"growth", "growth %", "growth pct", "growth rate", "yoy growth", "growth percent"}},
			{Name: "dollars", Type: Money, Aliases: []string{"revenue", "sales", "sales dollars", "dollars", "amount"}},
		},
		OneOf: [][]string{{"units", "growth_pct"}},
	},
	Lanes: {
		Kind:       Lanes,
		SheetNames: []string{"lanes", "lane", "rates", "lane rates", "rate table", "cost matrix"},
		Doc:        "explicit lane rates",
		Fields: []Field{
			{Name: "facility", Type: Text, Required: true, Aliases: []string{"origin", "from", "facility name", "warehouse", "dc"}},
			{Name: "destination", Type: Text, Required: true, Aliases: []string{"to", "dest", "destination name", "customer"}},
			{Name: "cost_per_unit", Type: Money, Required: true, Min: nonNegative, Aliases: []string{"cost per unit", "rate", "unit cost", "cost unit", "rate per unit", "cost"}},
			{Name: "mode", Type: Enum, Enum: modeEnum, Synonyms: modeSynonyms, Aliases: []string{"transport mode"}},
		},
	},
}

// SchemaOf returns the schema of a kind.
func SchemaOf(k Kind) *Schema { return schemas[k] }

// field returns the index of the named field, or -1.
func (s *Schema) field(name string) int {
	for i := range s.Fields {
		if s.Fields[i].Name == name {
			return i
		}
	}
	return -1
}
