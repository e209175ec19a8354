// Package capacity is the capacity-planning and inventory model of networx
// (docs/models.md, "Capacity planning" and "Inventory"): the warehouse space a forecast
// needs each year, network-wide or per facility (storage from cycle and safety stock,
// dock doors, support areas, a maximum utilization), the expansion MIP that chooses
// expansion tiers of existing facilities, new facilities and third-party (3PL) space to
// cover that requirement every year at the least total cost in real (constant, undiscounted)
// dollars, and the inventory model by year and per SKU with ABC classes (safety stock,
// cycle stock, reorder point, average inventory, turns, holding cost), pooling safety stock
// over the open facilities by the square-root law.
//
// Parameters that are engineering conventions (rack height, pallet footprint, aisle
// factor, ...) have documented defaults (Settings); data about the client (lead time,
// demand variability, carrying rate, facility sizes, the options and their costs, the 3PL
// price and share) has none, and its absence is an error naming where it belongs.
package capacity
