"""Field names the REST API Browser (release 2026.1) lists, used for ``X-NetSuite-PropertyNameValidation``.

With ``X-NetSuite-PropertyNameValidation: Error`` NetSuite rejects a body naming a field the record
lacks. Sales order body and item-line names and the customer address-book names are the complete lists
from the browser; customer body names run to ``thirdPartyCountry`` plus the remaining common ones; item
names are the documented selection plus the usual item fields. Custom fields (``custbody*``, ``custcol*``,
``custentity*``, ``custitem*``) are accepted everywhere: the emulated account has every custom field.
"""

from __future__ import annotations

SALES_ORDER_BODY = frozenset(
    """
    accountingBookDetail actualShipDate alaConfiguration altHandlingCost altSalesTotal altShippingCost
    amountAuthorized amountCovered amountDeposited amountNotCovered amountPendingAuthorization
    amountPendingDeposit amountPotentiallyCovered amountRequiringCoverage appliedRules billAddr1
    billAddr2 billAddr3 billAddress billAddressList billAddressee billAttention billCity billCountry
    billOverride billPhone billState billZip billingAddress billingAddress_text billingSchedule
    canBeUnapproved canHaveStackable cardSwipe cardholderAuthentication checkNumber class contribPct
    couponCode createdDate createdFrom currency customForm customerPaymentAuthorization debitKsn
    debitPinBlock defaultILBAShipAddrVal defaultILBAShippingAddressKey defaultILShipMethKey
    deferredRevenue deletionReason deletionReasonMemo department discountAmount discountDate
    discountItem discountRate discountTotal drAccount dueDate dynamicDescriptor email endDate entity
    entityTaxRegNum estGrossProfit estGrossProfitPercent estimate exchangeRate excludeCommission
    externalId fax fob forInvoiceGrouping fxAccount fxAltSalesTotal fxNetAltSalesTotal giftCertApplied
    giftCertRedemption groupedTo handlingCost handlingMode handlingTax1Rate handlingTax2Rate
    handlingTaxAmount handlingTaxCode id inputReferenceCode integrationId intercoStatus
    intercoTransaction isCrossSubTransaction isDefaultShippingRequest isMultiShipTo isTaxable item job
    lastModifiedDate leadSource linkedTrackingNumbers links location memo message messageSel
    muccPromoCodeInstance needsPick needsRevCommitment netAltSalesTotal nextBill nexus oneTime
    oppcreatedfrom oppcreatedfromtitle opportunity ordRevCommitted orderStatus orderType originator
    otherRefNum outputAuthCode outputReferenceCode overrideShippingCost partner partners payPalAuthId
    payPalTranId paymentCardCsc paymentDeviceId paymentInstrumentLimit paymentOperation paymentOption
    paymentProcessingProfile paymentsDue prevDate prevPartner prevRep previousOpportunity
    primaryBookBaseCurrency promoCode promoCodePluginImpl promotions recognizedRevenue recurAnnually
    recurMonthly recurQuarterly recurWeekly refName refreshFromSubscription requiredDepositAmount
    requiredDepositDue requiredDepositPercentage revCommitStatus revCommitStatusDescr
    revRecOnRevCommitment revenueStatus revenueStatusDescr saasCommitmentEndDate saasCommitmentStartDate
    salesChannel salesEffectiveDate salesGroup salesRep salesTeam saleschannelorderpriority shipAddress
    shipAddressList shipComplete shipDate shipGroup shipIsResidential shipMethod shipOverride
    shippingAddress shippingAddress_text shippingCost shippingCostOverridden shippingTax1Rate
    shippingTax2Rate shippingTaxAmount shippingTaxCode source sourceSystem sourceWebSite startDate
    status storeOrder subsidiary subsidiaryTaxRegNum subtotal suppressUserEventsAndEmails
    syncPartnerTeams syncSalesTeams tax2Total taxDetails taxDetailsOverride taxItem taxPointDate
    taxPointDateOverride taxRate taxRegOverride taxTotal terms thirdPartyAcct toBeEmailed toBeFaxed
    toBePrinted total totalAfterTaxes totalCostEstimate tranDate tranId tranIsVsoeBundle
    transactionNumber transactionToRefund updateDropshipOrderQty vatRegNum vsoeAutoCalc webSite webStore
    """.split()
)
SALES_ORDER_ITEM_LINE = frozenset(
    """
    allocationAlert altSalesAmt amount baseAmount baseGrossAmt baseNetAmount billingSchedule binNumbers
    catchUpPeriod chargeRule chargeType class closeDate commitInventory commitmentFirm costEstimate
    costEstimateRate costEstimateType createPo createWo createdPo daysLate deferRevRec department
    description doNotCreateRevenueElement estGrossProfit estGrossProfitPercent excludeFromPredictiveRisk
    excludeFromRateRequest expectedShipDate expirationDate fromJob giftCertFrom giftCertMessage
    giftCertNumber giftCertRecipientEmail giftCertRecipientName grossAmt hasOrdBillLink initOqpBucket
    inventoryDetail inventorylocation inventorysubsidiary isAllocateFirmInvtOnly isCatchWeightItem
    isClosed isEstimate isFreezeFirmAllocation isOpen isTaxable item itemFulfillmentChoice
    itemIsFulfilled itemSubtype itemType job lastPurchasePrice licenseCode line lineUniqueKey linked
    links location locationAutoAssigned marginal matrixType minQty netAltSalesAmt noAutoAssignLocation
    options oqpBucket orderAllocationStrategy orderPriority poCurrency poRate poVendor price
    priceIntervalFrequency priceIntervalFrequencyName priceIntervalRepeatEvery
    primaryToSecondaryUnitConversionRate printItems processedByRevCommit quantity quantityAllocated
    quantityAvailable quantityBackOrdered quantityBilled quantityCommitted quantityDemandAllocated
    quantityFulfilled quantityOnHand quantityOrdered quantityPacked quantityPicked quantityReceived rate
    rateIncludingTax rateSchedule refName requestedDate requiredDepositAmount revRecEndDate
    revRecSchedule revRecStartDate revRecTermInMonths revrec_recurrencetype secondaryQuantity
    secondaryUnitConversionRate secondaryUnits secondaryUnitsList serialNumbers shipAddress shipCarrier
    shipGroup shipMethod subscription subscriptionLine subscriptionLinePeriodAmount subscriptionLineRate
    subscriptionLineType subsidiary tax1Amt taxAmount taxCode taxDetailsReference taxRate1 taxRate2
    units vsoeAllocation vsoeAmount vsoeDeferral vsoeDelivered vsoeIsEstimate vsoePermitDiscount
    vsoePrice vsoeSOPGroup woId
    """.split()
)
ADDRESS = frozenset(
    """
    addr1 addr2 addr3 addrPhone addrText addressee attention city country externalId lastModifiedDate
    links override refName state zip
    """.split()
)
CUSTOMER_BODY = frozenset(
    """
    accessRole accountNumber acquisitionDate addressBook aging aging1 aging2 aging3 aging4
    alcoholRecipientType altEmail altName altPhone assignedWebSite autoName balance billingRateCard
    billingSchedule billingTransactionForm billingTransactionType buyingReason buyingTimeFrame
    campaignCategory campaignEvent campaigns category clickStream comments companyName consolAging
    consolAging1 consolAging2 consolAging3 consolAging4 consolBalance consolDaysOverdue
    consolDepositBalance consolOverdueBalance consolUnbilledOrders contact contactList contactRoles
    contribPct creditHoldOverride creditLimit currency currencyList customForm dateCreated daysOverdue
    defaultAddress defaultAllocationStrategy defaultBankAccount defaultOrderPriority
    defaultShippingAddress defaultTaxReg depositBalance displaySymbol drAccount email emailPreference
    emailTransactions endDate entityId entityNumber entityStatus estimatedBudget externalId fax
    faxTransactions firstName firstOrderDate firstSaleDate firstVisit fxAccount giveAccess
    globalSubscriptionStatus groupInvoices groupPricing homePhone id image
    isAutogeneratedRepresentingEntity isBudgetApproved isInactive isJob isPerson itemPricing keywords
    language lastModifiedDate lastName lastOrderDate lastPageVisited lastSaleDate lastVisit leadSource
    links middleName mobilePhone monthlyClosing negativeNumberFormat numberFormat openingBalance
    openingBalanceAccount openingBalanceDate overdueBalance overrideCurrencyFormat parent partner
    partners password password2 phone phoneticName prefCcProcessor priceLevel printOnCheckAs
    printTransactions receivablesAccount refName referrer reminderDays representingSubsidiary
    resaleNumber salesGroup salesReadiness salesRep salesTeam salutation searchStage sendEmail
    shipComplete shippingCarrier shippingItem sourceWebSite stage startDate subscriptionMessageHistory
    subscriptions subsidiary symbolPlacement syncPartnerTeams syncSalesTeams taxExempt taxItem
    taxRegistration taxable terms territory thirdPartyAcct thirdPartyCarrier thirdPartyCountry timeZone
    title unbilledOrders url vatRegNumber webLead
    """.split()
)
ADDRESS_BOOK_LINE = frozenset(
    """
    addressBookAddress addressBookAddress_text addressId defaultBilling defaultShipping id internalId
    isResidential label lastModifiedDate links refName
    """.split()
)
ITEM_BODY = frozenset(
    """
    account assetAccount averageCost basePrice binNumber class cogsAccount cost costingMethod
    createdDate currency department description discountType displayName expenseAccount externalId id
    includeChildren incomeAccount internalId isDropShipItem isFulfillable isInactive isLotItem isOnline
    isSerialItem isTaxable itemId itemNumberOptions itemOptions itemType itemVendor lastModifiedDate
    links location locations manufacturer matrixItemNameTemplate matrixType mpn parent price
    purchaseDescription rate refName salesDescription siteCategory storeDescription storeDisplayName
    subsidiary taxSchedule translations upcCode vendorName weight weightUnit
    """.split()
)
PRICE_LINE = frozenset(
    """
    currencyPage discountDisplay isInactive links price priceLevel priceLevelName priceQty quantity refName
    """.split()
)
REFERENCE_BODY = frozenset(
    """
    account country creditCard currency currencyPrecision displaySymbol exchangeRate externalId
    formatSample fullName fxRateUpdateTimezone id includeChildren isBaseCurrency isDebitCard
    isElimination isInactive isOnline lastModifiedDate legalName links locationType mainAddress
    makeInventoryAvailable methodType name overrideCurrencyFormat parent refName subsidiary symbol
    symbolPlacement undepFunds
    """.split()
)

CUSTOM_PREFIXES = ("custbody", "custcol", "custentity", "custitem", "custrecord")

# --- further record types (REST API Browser 2026.1 via the DERIVED key-records file; "selected" lists are
# the fields the emulator understands, not NetSuite's complete lists) ------------------------------------

ITEM_FULFILLMENT_BODY = frozenset(
    """
    createdDate createdFrom createdFromShipGroup customForm department entity exchangeRate externalId
    handlingCost id item lastModifiedDate links location memo orderId orderType package packageFedex
    packageUps packageUsps packedDate pickedDate postingPeriod requestedBy returnShippingAddress shipAddress
    shipAddressList shipCarrier shipCompany shipCountry shipIsResidential shipMethod shipOverride shipPhone
    shipStatus shipmentDetails shipmentPackage shippedDate shippingAddress status subsidiary tranDate tranId
    refName
    """.split()
)
ITEM_FULFILLMENT_ITEM_LINE = frozenset(
    """
    amount binNumbers class consigned consignmentConsumed createPo createdPo currency department description
    displayName excludeFromRateRequest expirationDate inventoryDetail isCatchWeightItem isConsignmentItem
    item itemFxAmount itemName itemReceive itemSubtype itemType itemUnitPrice itemUpc jobName kitMemberOf
    line lineEntity links location onHand options orderDoc orderLine primaryToSecondaryUnitConversionRate
    quantity quantityRemaining quantityRemainingDisplay rate refName secondaryQuantity
    secondaryUnitConversionRate secondaryUnits secondaryUnitsList serialNumbers units unitsDisplay
    """.split()
)
PACKAGE_LINE = frozenset(
    """
    links packageCartonNumber packageDescr packageDetails packageTrackingNumber packageTrackingNumberReturn
    packageWeight refName
    """.split()
)
PACKAGE_UPS_LINE = frozenset(
    """
    packageTrackingNumberUps packageWeightUps packageDescrUps packageCartonNumberUps packageLengthUps
    packageWidthUps packageHeightUps packagingUps insuredValueUps codAmountUps codMethodUps deliveryConfUps
    additionalHandlingUps reference1Ups links refName
    """.split()
)
PACKAGE_FEDEX_LINE = frozenset(
    """
    packageTrackingNumberFedEx packageWeightFedEx packageCartonNumberFedEx packageLengthFedEx
    packageWidthFedEx packageHeightFedEx packagingFedEx insuredValueFedEx useInsuredValueFedEx codAmountFedEx
    useCodFedEx signatureOptionsFedEx reference1FedEx links refName
    """.split()
)
CUSTOMER_DEPOSIT_BODY = frozenset(
    """
    account accountingBookDetail appliedRules cardSwipe cardholderAuthentication checkNumber class cleared
    clearedDate createdDate currency customForm customer customerPaymentAuthorization debitKsn debitPinBlock
    deletionReason deletionReasonMemo department depositSufficient dynamicDescriptor exchangeRate
    excludeFromGLNumbering externalId handlingMode id inputReferenceCode integrationId lastModifiedDate links
    location memo nexus outputAuthCode outputReferenceCode payment paymentCardCsc paymentDeviceId
    paymentInstrumentLimit paymentOperation paymentOption paymentProcessingProfile postingPeriod prevDate
    primaryBookBaseCurrency refName refundedAmountTotalBox salesOrder salesOrderRequiredDepositDue
    salesOrderUnpaidAmount status subsidiary toBeEmailed total tranDate tranId transactionNumber
    transactionToRefund undepFunds paymentMethod
    """.split()
)
JOURNAL_ENTRY_BODY = frozenset(
    """
    accountingBook accountingBookDetail appliedRules approvalStatus approved batch class createdDate
    createdFrom currency customForm deletionReason deletionReasonMemo department exchangeRate
    excludeFromGLNumbering externalId id isBookSpecific isReversal lastModifiedDate line links location memo
    nextApprover nexus parentExpenseAlloc postingPeriod primaryBookBaseCurrency refName reversalDate
    reversalDefer reversalEntry subsidiary subsidiaryTaxRegNum taxDetailsOverride taxPointDate
    taxPointDateOverride taxRegOverride toSubsidiary tranDate tranId transactionNumber void total
    """.split()
)
JOURNAL_LINE = frozenset(
    """
    account amortizationType baseGrossAmt class cleared clearedDate credit creditTax debit debitTax department
    eliminate endDate entity giftCertCode grossAmt item line lineCreatedDate lineLastModifiedDate lineTaxCode
    lineTaxRate links location memo refName residual revenueRecognitionRule schedule scheduleNum scheduleType
    startDate tax1Acct tax1Amt taxAccount taxBasis taxCode taxRate1 totalAmount
    """.split()
)
KIT_MEMBER_LINE = frozenset(
    """
    dropShipMember id item lineNumber links memberDescr memberUnit quantity refName taxCode taxRate
    taxSchedule
    """.split()
)
# The inventoryItem ``locations`` sublist has 72 properties (inventoryItem-locationsElement); these are
# the ones the emulator keeps, names as the browser lists them.
LOCATIONS_LINE = frozenset(
    """
    links location locationId location_display quantityAvailable quantityAvailableBase quantityBackOrdered
    quantityCommitted quantityInTransit quantityOnHand quantityOnHandBase quantityOnOrder reorderPoint
    preferredStockLevel safetyStockLevel averageCostMli cost onHandValueMli refName
    """.split()
)
CONTACT_ROLES_LINE = frozenset({"contact", "role", "email", "giveAccess", "links", "refName", "id"})
CONTACT_BODY = frozenset(
    """
    company email entityId externalId firstName id isInactive lastModifiedDate lastName links middleName
    mobilePhone phone refName salutation subsidiary title contactRole
    """.split()
)
# customerPayment (REST API Browser names; the emulator keeps this selection).
CUSTOMER_PAYMENT_BODY = frozenset(
    """
    account apply applied autoApply createdDate currency customer exchangeRate externalId id
    lastModifiedDate links memo payment paymentMethod paymentOption pending refName status subsidiary
    total tranDate tranId unapplied
    """.split()
)
PAYMENT_APPLY_LINE = frozenset({"amount", "apply", "doc", "due", "line", "links", "refName", "total", "type"})
SALES_LINE_EXTRA = frozenset({"orderLine", "orderDoc", "itemReceive", "quantityRemaining"})
ITEM_EXTRA = frozenset({"member", "rate", "isTaxable", "giftCertificateAmount", "displayName"})
REFERENCE_EXTRA = frozenset(
    """
    acctName acctNumber acctType code daysUntilNetDue discount discountPct isOnline rate description
    """.split()
)

ITEM_RECEIPT_BODY = frozenset(
    """
    createdDate createdFrom currency customForm entity exchangeRate externalId id item landedCostMethod
    lastModifiedDate links location memo postingPeriod refName subsidiary tranDate tranId
    """.split()
)
_BODY_BY_TYPE: dict[str, frozenset[str]] = {
    "itemFulfillment": ITEM_FULFILLMENT_BODY,
    "itemReceipt": ITEM_RECEIPT_BODY,
    "customerDeposit": CUSTOMER_DEPOSIT_BODY,
    "journalEntry": JOURNAL_ENTRY_BODY,
    "contact": CONTACT_BODY,
    "customerPayment": CUSTOMER_PAYMENT_BODY,
}
_BODY_BY_FAMILY: dict[str, frozenset[str]] = {
    # No paymentMethod: of the transactions in shared/specs/netsuite only deposit has it (its own list).
    "transaction": SALES_ORDER_BODY | {"handlingCost"},
    "customer": CUSTOMER_BODY,
    "item": ITEM_BODY | ITEM_EXTRA,
}
_LINES: dict[tuple[str | None, str], frozenset[str]] = {
    ("itemFulfillment", "item"): ITEM_FULFILLMENT_ITEM_LINE,
    ("itemReceipt", "item"): ITEM_FULFILLMENT_ITEM_LINE,
    ("itemFulfillment", "package"): PACKAGE_LINE,
    ("itemFulfillment", "packageUps"): PACKAGE_UPS_LINE,
    ("itemFulfillment", "packageFedex"): PACKAGE_FEDEX_LINE,
    (None, "item"): SALES_ORDER_ITEM_LINE | SALES_LINE_EXTRA,
    (None, "addressBook"): ADDRESS_BOOK_LINE,
    (None, "contactRoles"): CONTACT_ROLES_LINE,
    (None, "apply"): PAYMENT_APPLY_LINE,
    (None, "price"): PRICE_LINE,
    (None, "line"): JOURNAL_LINE,
    (None, "member"): KIT_MEMBER_LINE,
    (None, "locations"): LOCATIONS_LINE,
}


def body_fields(type_name: str, family: str) -> frozenset[str]:
    """Body field names a record type accepts under ``X-NetSuite-PropertyNameValidation: Error``."""
    if type_name in _BODY_BY_TYPE:
        return _BODY_BY_TYPE[type_name]
    return _BODY_BY_FAMILY.get(family, REFERENCE_BODY | REFERENCE_EXTRA)


def line_fields(type_name: str, sublist: str) -> frozenset[str]:
    """Field names a sublist line accepts; unknown sublists accept none (only custom fields)."""
    return _LINES.get((type_name, sublist)) or _LINES.get((None, sublist), frozenset())
