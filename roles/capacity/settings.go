package capacity

import (
	"errors"
	"fmt"
	"math"
)

// Defaults of the parameters that are conventions, not client data (docs/models.md).
const (
	// DefaultOperatingDays is five days a week for 50 weeks.
	DefaultOperatingDays = 250
	// DefaultClearHeightFt is the clear height of a typical modern bulk distribution centre.
	DefaultClearHeightFt = 32
	// DefaultRackHeightFt is one pallet position level: a 48-60 in load with its beam and
	// lift clearance.
	DefaultRackHeightFt = 6
	// DefaultPalletFootprintSqft is a 48 x 40 in GMA pallet.
	DefaultPalletFootprintSqft = 48.0 * 40.0 / 144.0
	// DefaultAisleFactor is the share of the storage floor taken by aisles in selective
	// racking with counterbalance or reach-truck aisles: about half.
	DefaultAisleFactor = 0.5
	// DefaultPalletsPerDoorPerDay is two 26-pallet trailers per door per day.
	DefaultPalletsPerDoorPerDay = 52
	// DefaultDoorAreaSqft is one door's dock and staging area: 12 ft door spacing by 60 ft
	// of staging depth.
	DefaultDoorAreaSqft = 720
	// DefaultMaxUtilization is the share of a building that can be used before operations
	// congest, the usual planning figure.
	DefaultMaxUtilization = 0.85
	// DefaultServiceA, B and C are the target cycle service levels of the ABC classes.
	DefaultServiceA, DefaultServiceB, DefaultServiceC = 0.98, 0.95, 0.90
	// DefaultClassA and DefaultClassB are the cumulative shares of annual value that end
	// classes A and B (the usual 80/15/5 split).
	DefaultClassA, DefaultClassB = 0.80, 0.95
)

// Settings are the parameters of capacity and inventory planning. A zero field means the
// documented default where one exists (the conventions above); the client-data fields
// (marked "required") have no default and Validate reports them when missing.
type Settings struct {
	// OperatingDays per year; 0 means DefaultOperatingDays.
	OperatingDays float64 `json:"operating_days"`
	// DaysOnHand of cycle stock held in storage; 0 means the review period, the cycle stock
	// right after a replenishment (positions must hold the peak, not the average).
	DaysOnHand float64 `json:"days_on_hand"`
	// ClearHeightFt and RackHeightFt give rack levels = floor(clear / rack); 0 = defaults.
	ClearHeightFt float64 `json:"clear_height_ft"`
	RackHeightFt  float64 `json:"rack_height_ft"`
	// PalletFootprintSqft is the floor area of one pallet position; 0 = default.
	PalletFootprintSqft float64 `json:"pallet_footprint_sqft"`
	// AisleFactor is the share of the storage floor taken by aisles, in [0, 1); 0 = default.
	// Set a negative value for "no aisles" (block stacking), which counts as 0.
	AisleFactor float64 `json:"aisle_factor"`
	// PalletsPerDoorPerDay is one dock door's daily throughput; 0 = default.
	PalletsPerDoorPerDay float64 `json:"pallets_per_door_per_day"`
	// DoorAreaSqft is the dock and staging area per door; 0 = default.
	DoorAreaSqft float64 `json:"door_area_sqft"`
	// SupportSqft is the area of offices, packing, battery charging and pick areas per
	// facility, as given; 0 means none was given and none is added.
	SupportSqft float64 `json:"support_sqft"`
	// MaxUtilization converts the net requirement into the gross one; 0 = default.
	MaxUtilization float64 `json:"max_utilization"`

	// LeadTimeDays L is the replenishment lead time (required).
	LeadTimeDays float64 `json:"lead_time_days"`
	// ReviewPeriodDays r is the time between replenishment orders (required).
	ReviewPeriodDays float64 `json:"review_period_days"`
	// DemandCV is the coefficient of variation of daily demand, sigma_d / mu_d (required).
	DemandCV float64 `json:"demand_cv"`
	// CarryingRate is the yearly holding cost as a share of inventory value (required).
	CarryingRate float64 `json:"carrying_rate"`
	// ServiceA, ServiceB, ServiceC are the class service levels in (0, 1); 0 = defaults.
	ServiceA float64 `json:"service_level_a"`
	ServiceB float64 `json:"service_level_b"`
	ServiceC float64 `json:"service_level_c"`
	// ClassA and ClassB end classes A and B on the cumulative share of annual value;
	// 0 = defaults.
	ClassA float64 `json:"abc_a_share"`
	ClassB float64 `json:"abc_b_share"`

	// ThirdPartyCostPerSqftYear is the price of 3PL space (required for expansion).
	ThirdPartyCostPerSqftYear float64 `json:"third_party_cost_per_sqft_year"`
	// ThirdPartyMaxShare caps 3PL space at this share of the gross requirement, in [0, 1]
	// (required for expansion; 0 means no 3PL space).
	ThirdPartyMaxShare float64 `json:"third_party_max_share"`

	// Given records which required fields were given (a zero can be a real value, e.g. a
	// 3PL share of 0); FromCanon sets it from the settings rows, callers building Settings
	// in code set it with MarkGiven.
	Given map[string]bool `json:"-"`
	// Source says where each given key came from ("settings sheet row 9"), for messages.
	Source map[string]string `json:"-"`
}

// Required setting keys: client data without defaults.
const (
	KeyLeadTime      = "lead_time_days"
	KeyReviewPeriod  = "review_period_days"
	KeyDemandCV      = "demand_cv"
	KeyCarryingRate  = "carrying_rate"
	KeyThirdPartyFee = "third_party_cost_per_sqft_year"
	KeyThirdPartyMax = "third_party_max_share"
)

// inventoryKeys and expansionKeys are the required keys of each model.
var (
	inventoryKeys = []string{KeyLeadTime, KeyReviewPeriod, KeyDemandCV, KeyCarryingRate}
	expansionKeys = []string{KeyThirdPartyFee, KeyThirdPartyMax}
)

// MarkGiven records keys as given (see Settings.Given).
func (s *Settings) MarkGiven(keys ...string) {
	if s.Given == nil {
		s.Given = map[string]bool{}
	}
	for _, k := range keys {
		s.Given[k] = true
	}
}

func orDefault(v, d float64) float64 {
	if v == 0 {
		return d
	}
	return v
}

func (s Settings) operatingDays() float64 { return orDefault(s.OperatingDays, DefaultOperatingDays) }
func (s Settings) daysOnHand() float64    { return orDefault(s.DaysOnHand, s.ReviewPeriodDays) }
func (s Settings) rackLevels() float64 {
	return math.Floor(orDefault(s.ClearHeightFt, DefaultClearHeightFt) / orDefault(s.RackHeightFt, DefaultRackHeightFt))
}
func (s Settings) footprint() float64 {
	return orDefault(s.PalletFootprintSqft, DefaultPalletFootprintSqft)
}
func (s Settings) aisle() float64 {
	if s.AisleFactor < 0 {
		return 0
	}
	return orDefault(s.AisleFactor, DefaultAisleFactor)
}
func (s Settings) doorRate() float64 {
	return orDefault(s.PalletsPerDoorPerDay, DefaultPalletsPerDoorPerDay)
}
func (s Settings) doorArea() float64 { return orDefault(s.DoorAreaSqft, DefaultDoorAreaSqft) }
func (s Settings) maxUtil() float64  { return orDefault(s.MaxUtilization, DefaultMaxUtilization) }
func (s Settings) serviceLevels() [3]float64 {
	return [3]float64{orDefault(s.ServiceA, DefaultServiceA), orDefault(s.ServiceB, DefaultServiceB), orDefault(s.ServiceC, DefaultServiceC)}
}
func (s Settings) classCuts() (float64, float64) {
	return orDefault(s.ClassA, DefaultClassA), orDefault(s.ClassB, DefaultClassB)
}

// ErrInput is wrapped by every error about missing or invalid planning input.
var ErrInput = errors.New("invalid capacity input")

func (s Settings) where(key string) string {
	if src := s.Source[key]; src != "" {
		return src + ": "
	}
	return "settings: "
}

// Validate reports every invalid parameter and every missing required one. expansion says
// whether the expansion keys are needed too.
func (s Settings) Validate(expansion bool) error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: %s%s", ErrInput, s.where(key), fmt.Sprintf(format, args...)))
	}
	need := append([]string(nil), inventoryKeys...)
	if expansion {
		need = append(need, expansionKeys...)
	}
	for _, k := range need {
		if !s.Given[k] {
			bad(k, "setting %s is required (client data, no default): add a row with key %s and its value to the settings sheet (settings.csv)", k, k)
		}
	}
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	for _, p := range []struct {
		key string
		v   float64
	}{{"operating_days", s.OperatingDays}, {"days_on_hand", s.DaysOnHand}, {"clear_height_ft", s.ClearHeightFt},
		{"rack_height_ft", s.RackHeightFt}, {"pallet_footprint_sqft", s.PalletFootprintSqft},
		{"pallets_per_door_per_day", s.PalletsPerDoorPerDay}, {"door_area_sqft", s.DoorAreaSqft},
		{"support_sqft", s.SupportSqft}, {KeyLeadTime, s.LeadTimeDays}, {KeyReviewPeriod, s.ReviewPeriodDays},
		{KeyDemandCV, s.DemandCV}, {KeyCarryingRate, s.CarryingRate}, {KeyThirdPartyFee, s.ThirdPartyCostPerSqftYear}} {
		if !finite(p.v) || p.v < 0 {
			bad(p.key, "%s = %v must be a non-negative number", p.key, p.v)
		}
	}
	if s.OperatingDays > 366 {
		bad("operating_days", "operating_days = %v exceeds the days of a year", s.OperatingDays)
	}
	if s.rackLevels() < 1 {
		bad("rack_height_ft", "rack_height_ft %v exceeds clear_height_ft %v: no rack level fits", orDefault(s.RackHeightFt, DefaultRackHeightFt), orDefault(s.ClearHeightFt, DefaultClearHeightFt))
	}
	if !finite(s.AisleFactor) || s.AisleFactor >= 1 {
		bad("aisle_factor", "aisle_factor = %v must be below 1", s.AisleFactor)
	}
	if u := s.MaxUtilization; !finite(u) || u < 0 || u > 1 {
		bad("max_utilization", "max_utilization = %v must be in (0, 1]", u)
	}
	if s.Given[KeyReviewPeriod] && s.ReviewPeriodDays == 0 && s.DaysOnHand == 0 {
		bad(KeyReviewPeriod, "review_period_days is 0 and days_on_hand is not set: storage would hold no cycle stock")
	}
	for _, p := range []struct {
		key string
		v   float64
	}{{"service_level_a", s.ServiceA}, {"service_level_b", s.ServiceB}, {"service_level_c", s.ServiceC}} {
		if !finite(p.v) || p.v < 0 || p.v >= 1 {
			bad(p.key, "%s = %v must be a probability in (0, 1)", p.key, p.v)
		}
	}
	a, b := s.classCuts()
	if !finite(a) || !finite(b) || a <= 0 || b > 1 || a >= b {
		bad("abc_a_share", "abc_a_share %v and abc_b_share %v must satisfy 0 < a < b <= 1", a, b)
	}
	if v := s.ThirdPartyMaxShare; !finite(v) || v < 0 || v > 1 {
		bad(KeyThirdPartyMax, "%s = %v must be in [0, 1]", KeyThirdPartyMax, v)
	}
	return errors.Join(errs...)
}
